from django.utils.translation import gettext_lazy as _

from core.audit import register
from workflows.cases import register_case_event

register("eservices.application.save_draft", _("Draft saved"),
         message=_("%(actor)s saved the draft %(object)s (service version %(after.version)s)."))
register("eservices.application.upload", _("Document uploaded"),  # before the document store: kept for old trails
         message=_("%(actor)s uploaded a document to %(object)s."))
register("eservices.application.delete_draft", _("Draft deleted"),
         message=_("%(actor)s deleted the draft %(object)s and the documents attached to it."))
register("eservices.application.submit", _("Application submitted"),
         message=_("%(actor)s submitted the application %(after.reference)s."))
register("eservices.application.resubmit", _("Corrected application resubmitted"),
         message=_("%(actor)s resubmitted %(object)s with the corrections asked for."))
register("eservices.application.withdraw", _("Application withdrawn"),
         message=_("%(actor)s withdrew the application %(object)s; its open steps were cancelled."))
register("eservices.application.download_decision", _("Decision letter downloaded"),
         message=_("%(actor)s downloaded the decision letter of %(object)s."))
register("eservices.application.close_unanswered", _("Closed: correction not answered in time"),
         message=_("%(actor)s closed %(object)s: the correction was not answered in time."))
register("eservices.service_version.draft", _("New draft of a service version"),
         message=_("%(actor)s started draft version %(after.number)s of %(object)s."))
register("eservices.service_version.edit", _("Draft of a service version edited"),
         message=_("%(actor)s edited the draft %(object)s."))
register("eservices.service_version.publish", _("Service version published"),
         message=_("%(actor)s published %(object)s, valid from %(after.valid_from)s."))
register("eservices.service_version.retire", _("Service version retired"),
         message=_("%(actor)s retired %(object)s."))
register("eservices.service_version.discard", _("Draft of a service version discarded"),
         message=_("%(actor)s discarded the draft %(object)s."))


def _written(key):
    """What the applicant wrote with the event (``after[key]``), for their timeline."""
    return lambda event: (event.after or {}).get(key) or None


# What the applicant reads on their case's timeline (workflows.cases.register_case_event); the rest is the staff's.
register_case_event("eservices.application.submit", _("Application submitted"))
register_case_event("eservices.application.resubmit", _("You answered the correction request"),
                    detail=_written("comment"))
register_case_event("eservices.application.withdraw", _("Application withdrawn"), detail=_written("reason"))
register_case_event("eservices.application.close_unanswered",
                    _("Closed without a decision: the correction was not answered in time"))
