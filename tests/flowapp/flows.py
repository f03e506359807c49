"""Two versions of a small licensing flow, as an e-service would ship them: v1
(register → decide), and v2, deployed later, which adds an inspection between
the two; and a work order routed to whichever organisation the case names (a
supplier, a mahalla...). Cases carry no domain artifact; the process is the case."""

from django import forms
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from accounts.models import Organisation
from workflows.flows import CaseFlow, department_task, no_url_view
from workflows.services import task_complete


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


class WorkOrderForm(forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=500)


def work_order_done(*, task, actor, data):
    task_complete(task=task, actor=actor, comment=data["note"])


def _named_organisation(process):
    return Organisation.objects.get(code=process.data["organisation"])


class WorkOrderFlow(CaseFlow, flow.Flow):
    """A job for the organisation the case names: its staff do it, its head signs it off."""

    process_title = "Work order"

    start = flow.StartHandle(this.start_case).Annotation(title=_("Work ordered")).Next(this.do_work)
    do_work = (
        flow.View(no_url_view)
        .Annotation(title=_("Do the work"))
        .Permission(**department_task(_named_organisation))
        .Next(this.sign_off)
    )
    sign_off = (
        flow.View(no_url_view)
        .Annotation(title=_("Sign the work off"))
        .Permission(**department_task(_named_organisation, supervisor_only=True))
        .Next(this.end)
    )
    end = flow.End().Annotation(title=_("Work done"))

    task_forms = {"do_work": (WorkOrderForm, work_order_done), "sign_off": (WorkOrderForm, work_order_done)}

    def start_case(self, activation, organisation):
        activation.process.data = {"organisation": organisation.code}
        return activation.process
