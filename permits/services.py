"""The staff steps of the building-permit flow (its ``task_forms`` handlers) and
its decision letter. The application they work on, and its submission and
corrections, are the generic ones of ``eservices``."""

import datetime

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import ValidationFailed
from documents.issuing import document_issue
from documents.selectors import document_class
from eservices.models import DECISION_LETTER_PLACE, Application
from eservices.notifications import notify_applicant
from workflows.cases import step_done_by, sync_case_status
from workflows.services import task_complete

from .document_classes import DECISION_LETTER

#: how long an issued permit is valid
PERMIT_VALIDITY = datetime.timedelta(days=3 * 365)


def _notify(application, event, **extra):
    notify_applicant(application, event, templates="permits/email", **extra)


def permit_check_completeness(*, task, actor, data):
    complete, comment = data["complete"], data.get("comment", "").strip()
    if not complete and not comment:
        raise ValidationFailed(fields={"comment": [_("Tell the applicant what to correct.")]})
    application = task.process.artifact
    task_complete(task=task, actor=actor, action="eservices.application.check_completeness", comment=comment,
                  task_data={"complete": complete}, process_data={"complete": complete},
                  on_done=lambda t: sync_case_status(application))
    if complete:
        _notify(application, "in_review", optional=True)  # news of progress; nothing to do
    else:
        notify_applicant(application, "correction", comment=comment)
    return application


def permit_review(*, task, actor, data):
    application = task.process.artifact
    task_complete(task=task, actor=actor, action="eservices.application.review", comment=data.get("comment", ""),
                  task_data={"favourable": data["favourable"]}, on_done=lambda t: sync_case_status(application))
    return application


def permit_decide(*, task, actor, data):
    approve, reasons = data["approve"], data.get("reasons", "").strip()
    if not approve and not reasons:
        raise ValidationFailed(fields={"reasons": [_("A refusal must state its reasons.")]})
    application = task.process.artifact
    with transaction.atomic():
        application.decision_reasons = reasons
        application.save(update_fields=["decision_reasons"])
        task_complete(task=task, actor=actor, action="eservices.application.decide", comment=reasons,
                      task_data={"approve": approve}, process_data={"approved": approve})
    application.refresh_from_db()
    _notify(application, "decided")
    return application


def appeal_deadline(version, *, decided):
    """The last day to appeal a refusal decided at ``decided``: its date in the municipality's time zone plus
    the service's appeal period, in calendar days (``ServiceVersion.appeal_days``)."""
    return timezone.localdate(decided) + datetime.timedelta(days=version.appeal_days)


def permit_issue_letter(*, application, approved):
    """Issue the permit or refusal letter (a signed PDF/A with its verification code,
    documents.issuing) as the case's decision letter, and close the case. Runs inside
    the decision's transaction (a flow Function step)."""
    now = timezone.now()
    application.status = Application.Status.APPROVED if approved else Application.Status.REFUSED
    application.decided_at = now
    language = application.applicant.preferred_language
    with translation.override(language):
        title = _("Building permit %(reference)s") if approved else _("Refusal of a building permit %(reference)s")
        title = title % {"reference": application.reference}
    issued = document_issue(
        actor=None, case=application, code=DECISION_LETTER_PLACE, title=title,
        document_class=document_class(DECISION_LETTER), template_name="permits/decision.html",
        context={"application": application, "approved": approved,
                 "valid_until": (now + PERMIT_VALIDITY) if approved else None,
                 "appeal_by": None if approved else appeal_deadline(application.service_version, decided=now),
                 "signer": step_done_by(application.process, "decision")},
        issued_to=application.applicant.full_name, language=language, owner=application.service_type.department,
        file_name=f"{application.reference}-{'permit' if approved else 'refusal'}.pdf",
    )
    application.save(update_fields=["status", "decided_at"])
    audit.record(actor=None, action="eservices.application.issue_letter", obj=application,
                 after={"status": application.status, "verification_code": issued.display_code,
                        "version": issued.version.number, "sha256": issued.version.sha256,
                        "size": issued.version.size})
    return application
