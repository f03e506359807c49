"""Two versions of a small licensing flow, as an e-service would ship them: v1
(register → decide), and v2, deployed later, which adds an inspection between
the two. Cases carry no domain artifact; the process is the case."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.flows import CaseFlow, no_url_view


class LicenceFlow(CaseFlow, flow.Flow):
    process_title = "Trade licence"

    start = flow.StartHandle().Annotation(title=_("Application received")).Next(this.register)
    register = flow.View(no_url_view).Annotation(title=_("Register the application")).Next(this.decide)
    decide = flow.View(no_url_view).Annotation(title=_("Decide")).Next(this.end)
    end = flow.End().Annotation(title=_("Licence decided"))


class LicenceFlowV2(CaseFlow, flow.Flow):
    process_title = "Trade licence"
    version = 2
    supersedes = LicenceFlow

    start = flow.StartHandle().Annotation(title=_("Application received")).Next(this.register)
    register = flow.View(no_url_view).Annotation(title=_("Register the application")).Next(this.inspect)
    inspect = flow.View(no_url_view).Annotation(title=_("Inspect the premises")).Next(this.decide)
    decide = flow.View(no_url_view).Annotation(title=_("Decide")).Next(this.end)
    end = flow.End().Annotation(title=_("Licence decided"))
