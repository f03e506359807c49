"""Write paths for applications. One service = one transaction = one audit
event per state change; notifications go out after commit."""

import datetime

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from simple_history.utils import bulk_create_with_history

from core import audit
from core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from documents.pdf import render_pdf
from workflows.services import task_complete

from .models import Application, Attachment, ReferenceSequence
from .notifications import notify_applicant
from .uploads import check_upload

# --- reference numbers -------------------------------------------------------

def reference_take_next(*, series, year):
    """Next number in the series, gap-free: must run inside the caller's
    transaction so a rolled-back case gives its number back. The UPDATE locks
    the counter row until commit, so concurrent cases queue for their numbers."""
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    increment = f"UPDATE {table} SET last_value = last_value + 1 WHERE series = %s AND year = %s RETURNING last_value"
    with connection.cursor() as cursor:
        cursor.execute(increment, [series, year])
        row = cursor.fetchone()
        if row is None:  # first number of the year: create the counter, racing safely
            ReferenceSequence.objects.bulk_create([ReferenceSequence(series=series, year=year)], ignore_conflicts=True)
            cursor.execute(increment, [series, year])
            row = cursor.fetchone()
    return f"{series}-{year}-{row[0]:06d}"


# --- validation ----------------------------------------------------------------

def _schema_errors(schema, data):
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    fields = {}
    for error in validator.iter_errors(data):
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in error.instance]
            for name in missing:
                fields.setdefault(name, []).append(_("This field is required."))
            continue
        name = error.path[0] if error.path else "__all__"
        title = schema.get("properties", {}).get(name, {}).get("title", name)
        fields.setdefault(name, []).append(_("%(field)s: %(problem)s") % {"field": title, "problem": error.message})
    return fields


def validate_application_data(*, service_type, data, partial=False):
    if not isinstance(data, dict):
        raise ValidationFailed(fields={"__all__": [_("The form data must be an object.")]})
    schema = dict(service_type.form_schema or {})
    if partial:
        schema.pop("required", None)
    fields = _schema_errors(schema, data)
    if fields:
        raise ValidationFailed(fields=fields)


def _check_files(service_type, files):
    known = {doc.code for doc in service_type.required_documents.all()}
    checked = {}
    for code, uploaded in (files or {}).items():
        if code not in known:
            raise ValidationFailed(fields={f"doc_{code}": [_("This service does not take that document.")]})
        checked[code] = check_upload(uploaded, field=f"doc_{code}")
    return checked


def _missing_documents(application, new_codes=()):
    have = set(application.attachments.values_list("document_code", flat=True)) | set(new_codes)
    return [doc for doc in application.service_type.required_documents.all() if doc.mandatory and doc.code not in have]


def _store_attachments(*, application, checked, actor):
    attachments = []
    for code, upload in checked.items():
        attachment = Attachment(
            application=application, document_code=code, original_name=upload.name,
            content_type=upload.content_type, size=upload.size, sha256=upload.sha256, uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload.file, save=False)
        attachments.append(attachment)
    if not attachments:
        return
    bulk_create_with_history(attachments, Attachment, default_user=actor)
    for attachment in attachments:
        audit.record(actor=actor, action="eservices.application.upload", obj=attachment, trail=application,
                     after={"document": attachment.document_code, "name": attachment.original_name,
                            "sha256": attachment.sha256, "size": attachment.size},
                     label=lambda a=attachment: f"{application} — {a.original_name}")


# --- citizen ---------------------------------------------------------------------

def _ensure_applicable(service_type):
    if not service_type.is_published:
        raise NotFound(_("This service is not available."))


def application_save_draft(*, actor, service_type, data, files=None, application=None):
    """Create or update a draft. Partial data is fine; types are still checked."""
    _ensure_applicable(service_type)
    validate_application_data(service_type=service_type, data=data, partial=True)
    checked = _check_files(service_type, files)
    with transaction.atomic(), audit.batch():
        if application is None:
            application = Application.objects.create(applicant=actor, service_type=service_type, data=data)
            before = {}
        else:
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.applicant_id != actor.pk:
                raise PermissionDenied()
            if application.status != Application.Status.DRAFT:
                raise InvalidTransition(_("This application has already been submitted."), code="already_submitted")
            before = {"data": application.data}
            application.data = data
            application.save(update_fields=["data"])
        audit.record(actor=actor, action="eservices.application.save_draft", obj=application,
                     before=before, after={"data": data})
        _store_attachments(application=application, checked=checked, actor=actor)
    return application


def application_submit(*, actor, application, data=None, files=None):
    """Submit a draft: full validation, a reference number, the flow starts."""
    service_type = application.service_type
    _ensure_applicable(service_type)
    checked = _check_files(service_type, files)
    with transaction.atomic(), audit.batch():
        application = Application.objects.select_for_update().select_related("service_type").get(pk=application.pk)
        if application.applicant_id != actor.pk:
            raise PermissionDenied()
        if application.status != Application.Status.DRAFT:
            raise InvalidTransition(_("This application has already been submitted."), code="already_submitted")
        if data is not None:
            application.data = data
        validate_application_data(service_type=service_type, data=application.data)
        missing = _missing_documents(application, checked)
        if missing:
            raise ValidationFailed(fields={f"doc_{doc.code}": [_("Please attach “%(doc)s”.") % {"doc": doc.name}] for doc in missing})
        _store_attachments(application=application, checked=checked, actor=actor)
        _start_case(application, actor=actor)
    return application


def application_apply(*, actor, service_type, data, files=None):
    """Fill in and submit in one step. Everything is checked before anything is written."""
    _ensure_applicable(service_type)
    validate_application_data(service_type=service_type, data=data)
    checked = _check_files(service_type, files)
    missing = [d for d in service_type.required_documents.all() if d.mandatory and d.code not in checked]
    if missing:
        raise ValidationFailed(fields={f"doc_{doc.code}": [_("Please attach “%(doc)s”.") % {"doc": doc.name}] for doc in missing})
    with transaction.atomic(), audit.batch():
        # Never seen as a draft: its first row version is the submitted case, written by _start_case.
        application = Application(applicant=actor, service_type=service_type, data=data)
        application.skip_history_when_saving = True
        application.save()
        del application.skip_history_when_saving
        _store_attachments(application=application, checked=checked, actor=actor)
        _start_case(application, actor=actor)
    return application


def _start_case(application, *, actor):
    """Start the service's flow and give the case its reference number. The
    number is taken last, so its row lock is held only until commit."""
    flow_class = import_string(application.service_type.flow)
    application.process = flow_class.start.run(application=application)
    now = timezone.now()
    application.reference = reference_take_next(series=application.service_type.reference_series, year=now.year)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = now
    application.save()
    audit.record(actor=actor, action="eservices.application.submit", obj=application,
                 before={"status": Application.Status.DRAFT},
                 after={"status": application.status, "reference": application.reference, "data": application.data})
    notify_applicant(application, "submitted")


def application_resubmit(*, actor, task, data, files=None, comment=""):
    """The applicant answers a correction request."""
    application = task.process.artifact
    if task.owner_id != actor.pk or application.applicant_id != actor.pk:
        raise PermissionDenied()
    validate_application_data(service_type=application.service_type, data=data)
    checked = _check_files(application.service_type, files)
    with transaction.atomic(), audit.batch():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.CORRECTION:
            raise InvalidTransition(_("No correction is requested for this application."), code="no_correction")
        before = {"data": application.data}
        application.data = data
        application.save(update_fields=["data"])
        _store_attachments(application=application, checked=checked, actor=actor)
        task_complete(task=task, actor=actor, action="eservices.application.resubmit", comment=comment,
                      before=before, after={"data": data}, on_done=lambda t: _sync_status(application))
    return application


# --- staff steps of the building-permit flow --------------------------------------

def _sync_status(application):
    """Derive the case status from where its process stands."""
    flow = application.process.flow_class.instance
    status = flow.case_status(application.process)
    if status and status != application.status:
        application.status = status
        application.save(update_fields=["status"])
    return application.status


def permit_check_completeness(*, task, actor, data):
    complete, comment = data["complete"], data.get("comment", "").strip()
    if not complete and not comment:
        raise ValidationFailed(fields={"comment": [_("Tell the applicant what to correct.")]})
    application = task.process.artifact
    task_complete(task=task, actor=actor, action="eservices.application.check_completeness", comment=comment,
                  task_data={"complete": complete}, process_data={"complete": complete},
                  on_done=lambda t: _sync_status(application))
    notify_applicant(application, "in_review" if complete else "correction", comment=comment)
    return application


def permit_review(*, task, actor, data):
    application = task.process.artifact
    task_complete(task=task, actor=actor, action="eservices.application.review", comment=data.get("comment", ""),
                  task_data={"favourable": data["favourable"]}, on_done=lambda t: _sync_status(application))
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
    notify_applicant(application, "decided")
    return application


def application_issue_letter(*, application, approved):
    """Render the permit or refusal letter, store it, close the case. Runs
    inside the decision's transaction (a flow Function step)."""
    now = timezone.now()
    application.status = Application.Status.APPROVED if approved else Application.Status.REFUSED
    application.decided_at = now
    pdf = render_pdf(
        "eservices/pdf/decision.html",
        {"application": application, "approved": approved, "issued": now,
         "valid_until": (now + datetime.timedelta(days=3 * 365)) if approved else None},
        language=application.applicant.preferred_language,
    )
    name = f"{application.reference}-{'permit' if approved else 'refusal'}.pdf"
    application.decision_letter.save(name, ContentFile(pdf), save=False)
    application.save(update_fields=["status", "decided_at", "decision_letter"])
    audit.record(actor=None, action="eservices.application.issue_letter", obj=application,
                 after={"status": application.status, "file": application.decision_letter.name, "size": len(pdf)})
    return application


def application_close_unanswered(*, task):
    """The applicant let a correction request run out: the case is closed (an
    automatic step, fired by the timers)."""
    application = task.process.artifact

    def close(task):
        case = Application.objects.select_for_update().get(pk=application.pk)
        before = {"status": case.status}
        case.status, case.decided_at = Application.Status.CLOSED, timezone.now()
        case.save(update_fields=["status", "decided_at"])
        audit.record(actor=None, action="eservices.application.close_unanswered", obj=case,
                     before=before, after={"status": case.status})
        notify_applicant(case, "closed_unanswered")

    task_complete(task=task, actor=None, action="workflows.task.expire",
                  comment=_("No answer within the deadline."), process_data={"correction_expired": True}, on_done=close)
    return application


def application_download_decision(*, actor, application):
    if not application.decision_letter:
        raise NotFound(_("No decision letter has been issued yet."))
    with transaction.atomic():
        audit.record(actor=actor, action="eservices.application.download_decision", obj=application,
                     after={"file": application.decision_letter.name})
    return application.decision_letter.open("rb")
