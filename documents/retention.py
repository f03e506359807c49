"""Retention and disposal: when a case ends, its outcome sets how long each of
its documents is kept and what happens then; legal holds stop the clock for a
document or a whole case; disposal runs list what is due, need a second person
to approve, and then destroy the blobs (or transfer them to the archive as a
package) while keeping a tombstone. Every step is audited.

Blobs are content-addressed and may be shared by identical versions of other
documents: a blob is deleted only when no document that is kept still names it.
Deleting bytes cannot be rolled back, so blobs go once the run has committed; a
blob the storage refuses to delete then is logged, the run stays carried out, and
the blob sweeper (documents.sweeper) removes it later.
"""

import datetime
import json
import tempfile
import zipfile

from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Role
from core import audit
from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed

from .blobs import CHUNK, documents_storage
from .models import DisposalAction, Document, DocumentVersion
from .previews import preview_blobs_of
from .retention_models import DisposalItem, DisposalRun, LegalHold, RetentionRule
from .selectors import case_reference
from .sweeper import blob_destroy_unnamed, blobs_named


class DocumentDisposed(DomainError):
    code = "document_disposed"
    status = 410
    default_message = gettext_lazy("This document's retention period has ended and it was disposed of.")


def years_after(moment, years):
    """The same day (or moment) ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


# --- retention ----------------------------------------------------------------------------

def case_retention_set(*, case, outcome, ended_at=None, actor=None):
    """The case ended with ``outcome``: each of its documents is kept for its
    class's period (or the class's rule for this outcome) from ``ended_at``."""
    ended = timezone.localdate(ended_at or timezone.now())
    with transaction.atomic(), audit.batch():
        documents = list(Document.objects.select_for_update().filter(**case_reference(case))
                         .select_related("document_class"))
        rules = {rule.document_class_id: rule for rule in RetentionRule.objects.filter(
            outcome=outcome, document_class__in={doc.document_class_id for doc in documents})}
        due = {}
        for document in documents:
            source = rules.get(document.document_class_id) or document.document_class
            years = source.retention_years
            rule_disposal = source.disposal
            document.outcome = outcome
            document.disposal_action = DisposalAction.KEEP if years is None else rule_disposal
            document.disposal_due = None if years is None or rule_disposal == DisposalAction.KEEP else years_after(
                ended, years)
            document.save(update_fields=["outcome", "disposal_action", "disposal_due"])
            due[document.pk] = {"action": document.disposal_action, "due": document.disposal_due}
        if documents:
            audit.record(actor=actor, action="documents.retention.set", obj=case, trail=case,
                         after={"outcome": outcome, "documents": due})
    return documents


def case_documents_discard(*, actor, case, outcome="discarded"):
    """The case is thrown away before it was ever filed (its author deletes a draft): its documents
    never became records, so no retention period applies. Each is marked disposed of now and the
    disposal recorded on the case's trail; its version rows stay (the store never deletes them) but
    no one can read them again (``documents.services.check_readable``). The blobs no kept document
    names are destroyed once the caller's transaction commits; one the storage refuses then is left
    to the blob sweeper, which removes blobs only disposed documents name. A document under a legal
    hold is kept as it is. Returns the documents disposed of. Runs inside the caller's transaction."""
    now = timezone.now()
    with transaction.atomic(), audit.batch():
        documents = list(Document.objects.select_for_update().filter(**case_reference(case), disposed_at__isnull=True))
        held = held_document_ids(documents)
        disposing = [document for document in documents if document.pk not in held]
        for document in disposing:
            document.outcome, document.disposal_action = outcome, DisposalAction.DESTROY
            document.disposal_due, document.disposed_at = timezone.localdate(now), now
            document.save(update_fields=["outcome", "disposal_action", "disposal_due", "disposed_at"])
            versions = [{"number": v.number, "sha256": v.sha256, "size": v.size, "name": v.original_name}
                        for v in document.versions.order_by("number")]
            audit.record(actor=actor, action="documents.document.discard", obj=document, trail=case,
                         label=f"{case} — {document.title}", after={"outcome": outcome, "versions": versions})
        gone = _blobs_no_longer_named([document.pk for document in disposing])
        transaction.on_commit(lambda: _delete_blobs(gone))
    return disposing


# --- legal holds --------------------------------------------------------------------------

def may_hold(user):
    """Administrators and auditors place and release legal holds."""
    return permissions.has_role(user, Role.ADMIN, Role.AUDITOR)


def legal_hold_place(*, actor, reason, document=None, case=None):
    """Stop disposal of one document or of every document of a case (e.g. a court case, an audit)."""
    if not may_hold(actor):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the documents are held.")]})
    if (document is None) == (case is None):
        raise ValidationFailed(_("A hold is placed on one document or on one case."))
    with transaction.atomic(), audit.batch():
        hold = LegalHold.objects.create(document=document, reason=reason, placed_by=actor,
                                        **(case_reference(case) if case is not None else {}))
        subject = document.case if document is not None else case
        audit.record(actor=actor, action="documents.hold.place", obj=hold, trail=subject or document,
                     after={"document": document.pk if document else None, "reason": reason})
    return hold


def legal_hold_release(*, actor, hold, reason):
    """Let disposal take its course again. Whoever may place holds may release them (an auditor ends
    the hold they placed for an audit); the reason goes on the case's trail."""
    if not may_hold(actor):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the hold is released.")]})
    with transaction.atomic(), audit.batch():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at:
            raise InvalidTransition(_("This hold was released already."), code="hold_released")
        hold.released_by, hold.released_at, hold.release_reason = actor, timezone.now(), reason
        hold.save(update_fields=["released_by", "released_at", "release_reason"])
        subject = hold.document.case if hold.document_id else hold.case
        audit.record(actor=actor, action="documents.hold.release", obj=hold, trail=subject or hold.document,
                     after={"reason": reason})
    return hold


def held_document_ids(documents):
    """Of ``documents``, those under an active hold, on themselves or on their case."""
    documents = list(documents)
    holds = LegalHold.objects.filter(released_at__isnull=True)
    held = set(holds.filter(document__in=documents).values_list("document_id", flat=True))
    cases = {(doc.case_type_id, doc.case_id) for doc in documents if doc.case_type_id}
    if cases:
        case_q = Q()
        for case_type_id, case_id in cases:
            case_q |= Q(case_type_id=case_type_id, case_id=case_id)
        held_cases = set(holds.filter(case_q).values_list("case_type_id", "case_id"))
        held |= {doc.pk for doc in documents if (doc.case_type_id, doc.case_id) in held_cases}
    return held


# --- disposal -----------------------------------------------------------------------------

def _admin_only(user):
    if not permissions.has_role(user, Role.ADMIN):
        raise PermissionDenied()


def disposal_propose(*, actor, due_by=None):
    """List every document whose retention ended by ``due_by`` (today), is to be
    destroyed or transferred, and is not held, as a run awaiting approval."""
    _admin_only(actor)
    due_by = due_by or timezone.localdate()
    with transaction.atomic(), audit.batch():
        candidates = list(Document.objects.select_for_update().filter(
            disposal_due__lte=due_by, disposed_at__isnull=True,
            disposal_action__in=[DisposalAction.DESTROY, DisposalAction.TRANSFER],
        ).exclude(disposals__run__status__in=[DisposalRun.Status.PROPOSED, DisposalRun.Status.APPROVED]))
        held = held_document_ids(candidates)
        due = [doc for doc in candidates if doc.pk not in held]
        if not due:
            raise ValidationFailed(_("No document's retention has ended by %(date)s (or all of them are held).")
                                   % {"date": due_by.isoformat()}, code="nothing_due")
        run = DisposalRun.objects.create(due_by=due_by, proposed_by=actor)
        DisposalItem.objects.bulk_create([DisposalItem(run=run, document=doc, action=doc.disposal_action)
                                          for doc in due])
        audit.record(actor=actor, action="documents.disposal.propose", obj=run,
                     after={"due_by": due_by, "documents": [doc.pk for doc in due], "held": sorted(held)})
    return run


def disposal_approve(*, actor, run):
    """A second administrator approves: nobody approves the list they proposed."""
    _admin_only(actor)
    with transaction.atomic(), audit.batch():
        run = DisposalRun.objects.select_for_update().get(pk=run.pk)
        if run.status != DisposalRun.Status.PROPOSED:
            raise InvalidTransition(_("Only a proposed disposal run can be approved."), code="run_not_proposed")
        if run.proposed_by_id == actor.pk:
            raise PermissionDenied(_("A disposal run must be approved by someone other than who proposed it."),
                                   code="four_eyes")
        run.status, run.approved_by, run.approved_at = DisposalRun.Status.APPROVED, actor, timezone.now()
        run.save(update_fields=["status", "approved_by", "approved_at"])
        audit.record(actor=actor, action="documents.disposal.approve", obj=run,
                     after={"documents": run.items.count()})
    return run


def disposal_cancel(*, actor, run):
    _admin_only(actor)
    with transaction.atomic(), audit.batch():
        run = DisposalRun.objects.select_for_update().get(pk=run.pk)
        if run.status not in (DisposalRun.Status.PROPOSED, DisposalRun.Status.APPROVED):
            raise InvalidTransition(_("This disposal run was carried out or cancelled already."),
                                    code="run_closed")
        run.status = DisposalRun.Status.CANCELLED
        run.save(update_fields=["status"])
        audit.record(actor=actor, action="documents.disposal.cancel", obj=run)
    return run


def disposal_execute(*, actor, run):
    """Carry out an approved run. A document held since the approval, or whose
    blobs the storage protects (S3 Object Lock) is kept and the item says why;
    transferred documents go to the archive package first. Blobs no kept
    document names are deleted after commit."""
    _admin_only(actor)
    with transaction.atomic(), audit.batch():
        run = DisposalRun.objects.select_for_update().get(pk=run.pk)
        if run.status != DisposalRun.Status.APPROVED:
            raise InvalidTransition(_("Only an approved disposal run can be carried out."), code="run_not_approved")
        items = list(run.items.select_related("document").select_for_update(of=("self",)))
        held = held_document_ids([item.document for item in items])
        now = timezone.now()
        disposing, to_transfer = [], []
        for item in items:
            versions = list(item.document.versions.order_by("number"))
            item.versions = [{"number": v.number, "sha256": v.sha256, "size": v.size, "name": v.original_name}
                             for v in versions]
            protected = [v for v in versions if _protected(v.blob_key, now)]
            if item.document_id in held:
                item.result = DisposalItem.Result.HELD
            elif protected:
                item.result = DisposalItem.Result.PROTECTED
            else:
                item.result = (DisposalItem.Result.TRANSFERRED if item.action == DisposalAction.TRANSFER
                               else DisposalItem.Result.DESTROYED)
                disposing.append(item)
                if item.action == DisposalAction.TRANSFER:
                    to_transfer.append((item, versions))
            item.done_at = now
        package = _transfer_package(run, to_transfer) if to_transfer else None
        DisposalItem.objects.bulk_update(items, ["versions", "result", "done_at"])
        Document.objects.filter(pk__in=[item.document_id for item in disposing]).update(disposed_at=now)
        run.status, run.executed_at = DisposalRun.Status.EXECUTED, now
        run.save(update_fields=["status", "executed_at"])
        for item in items:
            audit.record(actor=actor, action="documents.disposal.dispose", obj=item.document,
                         trail=item.document.case or item.document,
                         after={"run": run.pk, "result": item.result, "versions": item.versions,
                                "package": package if item.result == DisposalItem.Result.TRANSFERRED else None})
        gone = _blobs_no_longer_named([item.document_id for item in disposing])
        transaction.on_commit(lambda: _delete_blobs(gone))
    return run


def _protected(key, now):
    """Whether the storage refuses to delete this blob yet (S3 Object Lock, documents.storage_s3)."""
    retained_until = getattr(documents_storage(), "retained_until", None)
    until = retained_until(key) if retained_until is not None else None
    return until is not None and until > now


def _blobs_no_longer_named(document_ids):
    keys = set(DocumentVersion.objects.filter(document_id__in=document_ids).values_list("blob_key", flat=True))
    keys |= preview_blobs_of(document_ids)
    return sorted(keys - blobs_named(keys))


def _delete_blobs(keys):
    """Gone for good: on a versioned S3 bucket every version (``destroy``), elsewhere the file. Runs
    after the commit, so nothing here may fail the run: a blob that cannot go now stays for the sweeper."""
    for key in keys:
        blob_destroy_unnamed(key)


def _transfer_package(run, items):
    """A ZIP for the archive: each document's versions and a manifest with their
    hashes and metadata, stored under ``transfers/`` on the documents storage."""
    storage = documents_storage()
    manifest = {"disposal_run": run.pk, "approved_by": str(run.approved_by), "approved_at": run.approved_at,
                "documents": []}
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as package:
            for item, versions in items:
                document = item.document
                entry = {"id": document.pk, "title": document.title, "class": document.document_class.code,
                         "case": str(document.case or ""), "outcome": document.outcome, "versions": []}
                for version in versions:
                    path = f"{document.pk}/v{version.number}-{version.original_name}"
                    with storage.open(version.blob_key, "rb") as source, package.open(path, "w") as target:
                        while data := source.read(CHUNK):
                            target.write(data)
                    entry["versions"].append({"path": path, "sha256": version.sha256, "size": version.size,
                                              "type": version.mime_type, "created_at": version.created_at})
                manifest["documents"].append(entry)
            package.writestr("manifest.json", json.dumps(manifest, default=str, indent=2, ensure_ascii=False))
        spool.seek(0)
        name = f"transfers/disposal-run-{run.pk}-{datetime.date.today():%Y%m%d}.zip"
        return storage.save(name, File(spool, name=name))
