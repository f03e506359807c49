from django.utils.translation import gettext_lazy as _

from core.audit import register
from workflows.cases import register_case_event

# The permit's staff steps. Their names predate the permit's own app and stay as they are: the
# audit trail is searched by them, and its older rows carry them.
register("eservices.application.check_completeness", _("Completeness checked"),
         message=_("%(actor)s checked %(object)s for completeness."))
register("eservices.application.review", _("Technical review completed"),
         message=_("%(actor)s completed a technical review of %(object)s."))
register("eservices.application.decide", _("Decision taken"),
         message=_("%(actor)s decided on %(object)s."))
register("eservices.application.issue_letter", _("Decision letter issued"),
         message=_("%(actor)s issued the decision letter of %(object)s (verification code %(after.verification_code)s)."))


# What the applicant reads on their permit's timeline (workflows.cases.register_case_event): the outcome of each
# staff step, never who held it or what a reviewer thought of it.
_REVIEWS = {
    "review_architecture": _("Architecture review finished"),
    "review_fire_safety": _("Fire safety review finished"),
    "review_environment": _("Environmental review finished"),
}


def _checked(event):
    if (event.after or {}).get("complete"):
        return _("Checked and complete: the technical reviews have started")
    return _("Correction requested")


def _request(event):
    return None if (event.after or {}).get("complete") else (event.after or {}).get("comment")


register_case_event("eservices.application.check_completeness", _checked, detail=_request)
register_case_event("eservices.application.review",
                    lambda event: _REVIEWS.get((event.before or {}).get("task"), _("A technical review finished")))
register_case_event("eservices.application.decide",
                    lambda event: _("Decision made: approved") if (event.after or {}).get("approve")
                    else _("Decision made: refused"))
register_case_event("eservices.application.issue_letter", _("Decision letter issued"))
