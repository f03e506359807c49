"""Write paths for applications and the catalog's versions. One service = one transaction = one audit
event per state change; notifications go out after commit."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from simple_history.utils import bulk_create_with_history

from core import audit
from core.errors import DomainError, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from core.references import reference_take_next
from core.validators import invisible_controls_message, strings_with_invisible_controls
from documents.resumable import UploadRef, upload_session_file, upload_session_keep
from documents.retention import case_documents_discard
from documents.selectors import document_class, document_codes_of_case
from documents.services import case_documents_add, version_open
from documents.uploads import check_upload
from workflows.cases import case_ended, sync_case_status
from workflows.services import process_cancel, task_complete

from . import selectors
from .document_classes import APPLICATION_DOCUMENT
from .models import (
    Application,
    RequiredDocument,
    ServiceType,
    ServiceVersion,
    VersionFrozen,
)
from .notifications import notify_applicant
from .schema import pattern_message, translated

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
        spec = schema.get("properties", {}).get(name, {})
        problem = pattern_message(spec) if error.validator == "pattern" else error.message
        fields.setdefault(name, []).append(
            _("%(field)s: %(problem)s") % {"field": translated(spec, "title", name), "problem": problem})
    return fields


def validate_application_data(*, version, data, partial=False):
    if not isinstance(data, dict):
        raise ValidationFailed(fields={"__all__": [_("The form data must be an object.")]})
    schema = dict(version.form_schema or {})
    if partial:
        schema.pop("required", None)
    fields = _schema_errors(schema, data)
    for path, found in strings_with_invisible_controls(data):
        fields.setdefault(path[0] if path else "__all__", []).append(invisible_controls_message(found))
    if fields:
        raise ValidationFailed(fields=fields)


def _check_files(version, files, *, actor):
    """Every file checked; the refusals of all of them raised together, so none is left to a second try."""
    known = {doc.code for doc in version.required_documents.all()}
    checked, refused = {}, {}
    for code, uploaded in (files or {}).items():
        field = f"doc_{code}"
        if code not in known:
            raise ValidationFailed(fields={field: [_("This service does not take that document.")]})
        try:
            if isinstance(uploaded, UploadRef):  # sent in chunks beforehand: put together, then checked alike
                uploaded = upload_session_file(actor=actor, session_id=uploaded.session_id, field=field)
            checked[code] = check_upload(uploaded, field=field)
        except ValidationFailed as exc:
            refused[field] = exc
    if refused:
        if len(refused) == 1:
            raise next(iter(refused.values()))
        error = ValidationFailed(fields={field: messages for exc in refused.values()
                                         for field, messages in exc.fields.items()}, code="files_refused")
        error.status = max(exc.status for exc in refused.values())  # 503 when a scanner could not check one
        raise error
    return checked


def application_files_keep(*, actor, version, files, replacing=None):
    """The files sent with an application form that came back with errors: each one that passes the
    upload checks is kept (documents.resumable.upload_session_keep), so the form can offer it again
    instead of asking for it a second time. Returns ``({code: kept session}, {field: [messages]})``,
    the refusals of every file that did not pass. ``replacing``: {code: the kept file's id the form
    offered for that document}, ended when a new file takes its place."""
    kept, refused = {}, {}
    for doc in version.required_documents.all():
        field = f"doc_{doc.code}"
        uploaded = files.get(field)
        if not uploaded:
            continue
        try:
            check_upload(uploaded, field=field)
            kept[doc.code] = upload_session_keep(actor=actor, upload=uploaded,
                                                 replaces=(replacing or {}).get(doc.code))
        except DomainError as exc:
            refused[field] = exc.fields.get(field) or [str(exc.message)]
    return kept, refused


def _missing_documents(application, new_codes=()):
    have = document_codes_of_case(application) | set(new_codes)
    return [doc for doc in application.service_version.required_documents.all()
            if doc.mandatory and doc.code not in have]


def _store_documents(*, application, checked, actor, new_case=False):
    """Each upload becomes the next version of the case's document in that place
    (the document store audits each one on the case's trail)."""
    places = {doc.code: doc for doc in application.service_version.required_documents.all()}
    uploads = {code: (places[code].name, places[code].document_class or document_class(APPLICATION_DOCUMENT), upload)
               for code, upload in checked.items()}
    case_documents_add(actor=actor, case=application, uploads=uploads, owner=application.service_type.department,
                       new_case=new_case)


# --- citizen ---------------------------------------------------------------------

def application_save_draft(*, actor, service_type, data, files=None, application=None, district=None):
    """Create or update a draft. Partial data is fine; types are still checked.
    The draft is (re)filed under the version in force now."""
    version = selectors.version_for_new_case(code=service_type.code)
    validate_application_data(version=version, data=data, partial=True)
    checked = _check_files(version, files, actor=actor)
    with transaction.atomic(), audit.batch():
        if application is None:
            application = Application.objects.create(
                applicant=actor, service_type=version.service_type, service_version=version, data=data,
                district=district)
            before = {}
        else:
            application = Application.objects.select_for_update().get(pk=application.pk)
            if application.applicant_id != actor.pk:
                raise PermissionDenied()
            if application.status != Application.Status.DRAFT:
                raise InvalidTransition(_("This application has already been submitted."), code="already_submitted")
            before = {"fields": sorted(application.data), "version": application.service_version.number,
                      "district": _district_of(application)}
            application.data, application.service_version, application.district = data, version, district
            application.save(update_fields=["data", "service_version", "district"])
        # A draft is the applicant's private work (selectors.applications_visible_to): its trail says which
        # fields were filled in, not what they say; submitting records the data.
        audit.record(actor=actor, action="eservices.application.save_draft", obj=application,
                     before=before, after={"fields": sorted(data), "version": version.number,
                                           "district": _district_of(application)})
        _store_documents(application=application, checked=checked, actor=actor)
    return application


def application_delete_draft(*, actor, application):
    """Throw a draft away, at its applicant's request. Nothing was ever filed: the row goes, its
    documents are discarded with their files (documents.retention.case_documents_discard), and the
    trail keeps that the draft existed and was deleted. A submitted application is withdrawn, not deleted."""
    with transaction.atomic(), audit.batch():
        application = Application.objects.select_for_update().filter(pk=application.pk).first()
        if application is None:
            raise NotFound(_("This draft no longer exists."), code="draft_not_found")
        if application.applicant_id != actor.pk:
            raise PermissionDenied()
        if application.status != Application.Status.DRAFT:
            raise InvalidTransition(_("A submitted application cannot be deleted. You can withdraw it until it "
                                      "is decided."), code="not_a_draft")
        discarded = case_documents_discard(actor=actor, case=application, outcome="draft_deleted")
        audit.record(actor=actor, action="eservices.application.delete_draft", obj=application,
                     label=str(application),
                     before={"status": application.status, "fields": sorted(application.data),
                             "version": application.service_version.number},
                     after={"documents": [document.pk for document in discarded]})
        application.delete()


def application_submit(*, actor, application, data=None, files=None, district=None):
    """Submit a draft: full validation, a reference number, the flow starts.
    A draft saved under an older version is checked against, and filed under,
    the version in force now: the citizen meets the rules of the day they submit."""
    version = selectors.version_for_new_case(code=application.service_type.code)
    checked = _check_files(version, files, actor=actor)
    with transaction.atomic(), audit.batch():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.applicant_id != actor.pk:
            raise PermissionDenied()
        if application.status != Application.Status.DRAFT:
            raise InvalidTransition(_("This application has already been submitted."), code="already_submitted")
        if data is not None:
            application.data = data
        if district is not None:
            application.district = district
        application.service_type, application.service_version = version.service_type, version
        validate_application_data(version=version, data=application.data)
        missing = _missing_documents(application, checked)
        if missing:
            raise ValidationFailed(fields={f"doc_{doc.code}": [_("Please attach “%(doc)s”.") % {"doc": doc.name}] for doc in missing})
        _store_documents(application=application, checked=checked, actor=actor)
        _start_case(application, actor=actor)
    return application


def application_apply(*, actor, service_type, data, files=None, district=None):
    """Fill in and submit in one step. Everything is checked before anything is written."""
    version = selectors.version_for_new_case(code=service_type.code)
    validate_application_data(version=version, data=data)
    checked = _check_files(version, files, actor=actor)
    missing = [d for d in version.required_documents.all() if d.mandatory and d.code not in checked]
    if missing:
        raise ValidationFailed(fields={f"doc_{doc.code}": [_("Please attach “%(doc)s”.") % {"doc": doc.name}] for doc in missing})
    with transaction.atomic(), audit.batch():
        # Never seen as a draft: its first row version is the submitted case, written by _start_case.
        application = Application(applicant=actor, service_type=version.service_type, service_version=version,
                                  data=data, district=district)
        application.skip_history_when_saving = True
        application.save()
        del application.skip_history_when_saving
        _store_documents(application=application, checked=checked, actor=actor, new_case=True)
        _start_case(application, actor=actor)
    return application


def _start_case(application, *, actor):
    """Start the service's flow and give the case its reference number. The
    number is taken last, so its row lock is held only until commit."""
    flow_class = application.service_version.flow_class
    application.process = flow_class.start.run(application=application)
    now = timezone.now()
    application.reference = reference_take_next(series=application.service_type.reference_series, year=now.year)
    application.status = Application.Status.SUBMITTED
    application.submitted_at = now
    application.save()
    audit.record(actor=actor, action="eservices.application.submit", obj=application,
                 before={"status": Application.Status.DRAFT},
                 after={"status": application.status, "reference": application.reference, "data": application.data,
                        "version": application.service_version.number, "district": _district_of(application)})
    notify_applicant(application, "submitted")


def _district_of(application):
    """The district the application concerns, for its audit trail: code and name as they are today, so the row
    still reads after a rename."""
    district = application.district
    return {"code": district.code, "name": district.name} if district is not None else None


def application_resubmit(*, actor, task, data, files=None, comment="", district=None):
    """The applicant answers a correction request: the whole form again (``data``), any new files (each the
    next version of its document), a comment, and the district (None keeps the one the case has). A mandatory
    document must still be there once the answer is in."""
    application = task.process.artifact
    if task.owner_id != actor.pk or application.applicant_id != actor.pk:
        raise PermissionDenied()
    validate_application_data(version=application.service_version, data=data)
    checked = _check_files(application.service_version, files, actor=actor)
    with transaction.atomic(), audit.batch():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.CORRECTION:
            raise InvalidTransition(_("No correction is requested for this application."), code="no_correction")
        missing = _missing_documents(application, checked)
        if missing:
            raise ValidationFailed(fields={f"doc_{doc.code}": [_("Please attach “%(doc)s”.") % {"doc": doc.name}]
                                           for doc in missing})
        before = {"data": application.data, "district": _district_of(application)}
        application.data = data
        if district is not None:
            application.district = district
        application.save(update_fields=["data", "district"])
        _store_documents(application=application, checked=checked, actor=actor)
        task_complete(task=task, actor=actor, action="eservices.application.resubmit", comment=comment,
                      before=before, after={"data": data, "district": _district_of(application)},
                      on_done=lambda t: _sync_status(application))
    return application


def _sync_status(application):
    """Derive the case status from where its process stands."""
    return sync_case_status(application)


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
        case_ended(case)
        notify_applicant(case, "closed_unanswered")

    task_complete(task=task, actor=None, action="workflows.task.expire", comment=_("No answer within the deadline."),
                  task_data={"expired": True}, process_data={"correction_expired": True}, on_done=close)
    return application


def application_withdraw(*, actor, application, reason=""):
    """The applicant withdraws a submitted application before it is decided: its process is stopped
    (workflows.services.process_cancel: its tasks leave the staff's inboxes), the case ends as
    withdrawn, so its documents' retention starts, and the applicant is told by e-mail."""
    reason = (reason or "").strip()
    with transaction.atomic(), audit.batch():
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.applicant_id != actor.pk:
            raise PermissionDenied()
        if application.status == Application.Status.DRAFT:
            raise InvalidTransition(_("This application has not been submitted: you can delete the draft instead."),
                                    code="not_submitted")
        if not selectors.can_be_withdrawn(application):
            raise InvalidTransition(_("This application has been decided or closed already, so it can no longer be "
                                      "withdrawn."), code="already_decided")
        before = {"status": application.status}

        def withdrawn(process):
            application.status = Application.Status.WITHDRAWN
            application.save(update_fields=["status"])
            case_ended(application)
            notify_applicant(application, "withdrawn", reason=reason)

        process_cancel(process=application.process, actor=actor, reason=reason,
                       action="eservices.application.withdraw", before=before,
                       after={"status": Application.Status.WITHDRAWN, "reference": application.reference},
                       on_done=withdrawn)
    return application


def application_download_decision(*, actor, application):
    """The issued decision letter's version and its bytes (checked against their hash as
    they are read), for someone who may see the case; the download is audited."""
    issued = selectors.decision_letter_of(application)
    if issued is None:
        raise NotFound(_("No decision letter has been issued yet."))
    version = issued.version
    with transaction.atomic(), audit.batch():
        stream = version_open(actor=actor, version=version)
        audit.record(actor=actor, action="eservices.application.download_decision", obj=application,
                     after={"verification_code": issued.display_code, "version": version.number,
                            "sha256": version.sha256})
    return version, stream


# --- service versions (the catalog) -------------------------------------------------

#: what a new draft copies from the version it starts from (per-language columns included)
_COPIED = [field.attname for field in ServiceVersion._meta.concrete_fields
           if field.attname not in ("id", "service_type_id", "number", "status", "valid_from", "valid_until",
                                    "created", "name", "description")]
_DOCUMENT_COPIED = [field.attname for field in RequiredDocument._meta.concrete_fields
                    if field.attname not in ("id", "version_id", "name")]


def _version_snapshot(version, names=None):
    return {name: getattr(version, name) for name in (names or ["number", "status", "valid_from", "valid_until"])}


def _clean_version(version):
    try:
        version.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc


def _lock_service_type(service_type_id):
    """Versions of one service are numbered and published one at a time."""
    return ServiceType.objects.select_for_update().get(pk=service_type_id)


def _locked_version(version):
    return ServiceVersion.objects.select_for_update().select_related("service_type").get(pk=version.pk)


def _refuse_second_draft(service_type):
    draft = ServiceVersion.objects.filter(service_type=service_type, status=ServiceVersion.Status.DRAFT).first()
    if draft is not None:
        raise InvalidTransition(
            _("Version %(number)s of this service is still a draft: edit or publish it first.") % {"number": draft.number},
            code="draft_exists")


def _next_number(service_type):
    return (ServiceVersion.objects.filter(service_type=service_type).aggregate(n=Max("number"))["n"] or 0) + 1


def service_version_new_draft(*, actor, source):
    """A new draft of ``source``'s service: a copy of ``source``, its required
    documents included, numbered after the newest version."""
    with transaction.atomic():
        service_type = _lock_service_type(source.service_type_id)
        _refuse_second_draft(service_type)
        draft = ServiceVersion(service_type=service_type, number=_next_number(service_type),
                               status=ServiceVersion.Status.DRAFT,
                               **{name: copy.deepcopy(getattr(source, name)) for name in _COPIED})
        draft.save()
        documents = [RequiredDocument(version=draft, **{name: getattr(doc, name) for name in _DOCUMENT_COPIED})
                     for doc in source.required_documents.all()]
        bulk_create_with_history(documents, RequiredDocument, default_user=actor)
        audit.record(actor=actor, action="eservices.service_version.draft", obj=draft, trail=service_type,
                     after={"number": draft.number, "copied_from": source.number,
                            "documents": [doc.code for doc in documents]})
    return draft


def service_version_save_draft(*, actor, version):
    """Save a new draft (numbered after the newest version) or changes to a
    draft. A published or retired version is never changed."""
    with transaction.atomic():
        service_type = _lock_service_type(version.service_type_id)
        if version._state.adding:
            _refuse_second_draft(service_type)
            version.number, version.status = _next_number(service_type), ServiceVersion.Status.DRAFT
            action, before = "eservices.service_version.draft", {}
        else:
            stored = _locked_version(version)
            if not stored.is_draft:
                raise VersionFrozen()
            action, before = "eservices.service_version.edit", _version_snapshot(stored, _COPIED)
        _clean_version(version)
        version.save()
        after = _version_snapshot(version, _COPIED)
        changed = {name for name in after if before.get(name) != after[name]}
        audit.record(actor=actor, action=action, obj=version, trail=service_type,
                     before={name: before[name] for name in changed if name in before},
                     after={"number": version.number, **{name: after[name] for name in changed}})
    return version


def service_version_discard_draft(*, actor, version):
    """Throw a draft away (with its documents); nothing was ever filed under it."""
    with transaction.atomic():
        service_type = _lock_service_type(version.service_type_id)
        version = _locked_version(version)
        if not version.is_draft:
            raise VersionFrozen()
        audit.record(actor=actor, action="eservices.service_version.discard", obj=version, trail=service_type,
                     before=_version_snapshot(version), label=str(version))
        version.delete()


def service_version_publish(*, actor, version, valid_from=None, valid_until=None):
    """Publish a draft: from now on (or ``valid_from``) new cases get it. The
    version published before is retired in the same transaction; its open
    cases carry on under it."""
    now = timezone.now()
    with transaction.atomic():
        service_type = _lock_service_type(version.service_type_id)
        version = _locked_version(version)
        if not version.is_draft:
            raise InvalidTransition(_("Only a draft can be published."), code="not_a_draft")
        version.valid_from = valid_from or version.valid_from or now
        version.valid_until = valid_until or version.valid_until
        previous = ServiceVersion.objects.select_for_update().filter(
            service_type=service_type, status=ServiceVersion.Status.PUBLISHED).first()
        _refuse_gap(previous, version, now)
        if previous is not None:
            _retire(previous, actor=actor, now=now)
        version.status = ServiceVersion.Status.PUBLISHED
        _clean_version(version)
        version.save(update_fields=["status", "valid_from", "valid_until"])
        audit.record(actor=actor, action="eservices.service_version.publish", obj=version, trail=service_type,
                     before={"status": ServiceVersion.Status.DRAFT},
                     after={**_version_snapshot(version), "retired": previous.number if previous else None})
    return version


def _refuse_gap(previous, version, now):
    if version.valid_until is not None and version.valid_until <= now:
        raise ValidationFailed(fields={"valid_until": [_("The validity must end in the future.")]})
    if previous is not None and previous.in_force(now) and version.valid_from > now:
        raise ValidationFailed(fields={"valid_from": [
            _("Version %(number)s is in force: publishing retires it at once, so the new version must be valid "
              "from now. Publish it on the day it should take over.") % {"number": previous.number}]})


def service_version_retire(*, actor, version):
    """Take the published version out of the catalog; its open cases carry on."""
    with transaction.atomic():
        _lock_service_type(version.service_type_id)
        version = _locked_version(version)
        if version.status != ServiceVersion.Status.PUBLISHED:
            raise InvalidTransition(_("Only the published version can be retired."), code="not_published")
        _retire(version, actor=actor, now=timezone.now())
    return version


def _retire(version, *, actor, now):
    before = _version_snapshot(version)
    version.status = ServiceVersion.Status.RETIRED
    if version.valid_from <= now and (version.valid_until is None or version.valid_until > now):
        version.valid_until = now
    version.save(update_fields=["status", "valid_until"])
    audit.record(actor=actor, action="eservices.service_version.retire", obj=version, trail=version.service_type,
                 before=before, after=_version_snapshot(version))
