"""Write paths of the document store, and the one way to read a version.

Every new version is audited (``documents.version.create``) on the trail of
the case it belongs to; every read of a confidential or secret-personal
version is audited too (``documents.version.read``: who, when, which version,
why). Callers check the domain rule (may this person see this case?) and the
store checks again through ``documents.access``.
"""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core import audit
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed

from . import access
from .blobs import blob_claim, blob_key, blob_put, blob_stream
from .models import Confidentiality, Document, DocumentVersion
from .resumable import upload_session_used
from .retention import DocumentDisposed
from .selectors import case_reference

LOCK_FOR = datetime.timedelta(hours=8)


def _version_after(version):
    return {"document": version.document_id, "version": version.number, "name": version.original_name,
            "sha256": version.sha256, "size": version.size, "type": version.mime_type}


def _record_versions(*, actor, versions, trail):
    for version in versions:
        audit.record(actor=actor, action="documents.version.create", obj=version, trail=trail or version.document,
                     after=_version_after(version),
                     label=lambda v=version: f"{trail or v.document} — {v.document.title} v{v.number}")


def _new_version(*, document, number, upload, actor, comment="", claimed=False):
    upload_session_used(upload.file, actor=actor)  # a file sent in chunks ends its upload session
    key = blob_put(upload.file, sha256=upload.sha256, size=upload.size, claimed=claimed)
    return DocumentVersion(
        document=document, number=number, blob_key=key, size=upload.size, sha256=upload.sha256,
        mime_type=upload.content_type, original_name=upload.name, author=actor, comment=comment[:500])


def case_documents_add(*, actor, case, uploads, owner=None, new_case=False):
    """Store checked uploads for their places in ``case``: ``uploads`` maps a
    place's code to ``(title, document class, CheckedUpload)``. A place that
    holds a document already gets a new version of it; a new place a new
    document (``new_case``: the case was created in this transaction, so it
    has none yet). Returns the new versions. Must run inside the caller's transaction."""
    if not uploads:
        return []
    reference = case_reference(case)
    existing = {}
    if not new_case:  # the places already filled, locked, with their last version numbers (one query)
        last_number = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number").values("number")[:1]
        existing = {doc.code: doc for doc in Document.objects.select_for_update().filter(
            **reference, code__in=list(uploads)).annotate(last_number=Subquery(last_number))}
    new_documents = [
        Document(title=title, document_class=document_class, owner=owner, confidentiality=document_class.confidentiality,
                 **reference, code=code, created_by=actor)
        for code, (title, document_class, _upload) in uploads.items() if code not in existing
    ]
    if new_documents:
        bulk_create_with_history(new_documents, Document, default_user=actor)
    documents = {**existing, **{doc.code: doc for doc in new_documents}}
    blob_claim(*(blob_key(upload.sha256) for _title, _class, upload in uploads.values()))  # one statement for all
    versions = [
        _new_version(document=documents[code], number=(getattr(documents[code], "last_number", 0) or 0) + 1,
                     upload=upload, actor=actor, claimed=True)
        for code, (_title, _class, upload) in uploads.items()
    ]
    DocumentVersion.objects.bulk_create(versions)
    _record_versions(actor=actor, versions=versions, trail=case)
    return versions


@dataclass(frozen=True)
class GeneratedFile:
    """Bytes the system made (a rendered letter), shaped like a checked upload."""

    file: object
    name: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, content, *, name, content_type):
        return cls(file=ContentFile(content, name=name), name=name, content_type=content_type, size=len(content),
                   sha256=hashlib.sha256(content).hexdigest())


def case_document_add_generated(*, actor, case, code, title, document_class, content, name, content_type,
                                owner=None):
    """Store bytes the system produced as the next version of the case's document at
    place ``code`` (a new document the first time). The blob is content-addressed and
    checked against the hash as it is written, like an upload. Returns the version.
    Must run inside the caller's transaction."""
    generated = GeneratedFile.of(content, name=name, content_type=content_type)
    (version,) = case_documents_add(actor=actor, case=case, uploads={code: (title, document_class, generated)},
                                    owner=owner)
    return version


def version_add(*, actor, document, upload, comment="", lock_token=""):
    """A new version of a document, by whoever may edit it; while the document
    is checked out, only with the holder's token."""
    with transaction.atomic(), audit.batch():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not access.can_edit(actor, document):
            raise PermissionDenied()
        if document.is_locked() and lock_token != document.lock_token:
            raise InvalidTransition(_("“%(title)s” is checked out by %(name)s until %(until)s.") % {
                "title": document.title, "name": document.locked_by.full_name if document.locked_by else "—",
                "until": timezone.localtime(document.lock_expires_at).strftime("%Y-%m-%d %H:%M")},
                code="document_locked" if not lock_token else "lock_token_mismatch")
        last = document.versions.aggregate(last=Max("number"))["last"] or 0
        version = _new_version(document=document, number=last + 1, upload=upload, actor=actor, comment=comment)
        version.save()
        _record_versions(actor=actor, versions=[version], trail=document.case)
    return version


def document_check_out(*, actor, document):
    """Lock a document for editing; returns the token the next version needs."""
    with transaction.atomic(), audit.batch():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not access.can_edit(actor, document):
            raise PermissionDenied()
        if document.is_locked() and document.locked_by_id != actor.pk:
            raise InvalidTransition(_("“%(title)s” is already checked out by %(name)s.") % {
                "title": document.title, "name": document.locked_by.full_name}, code="document_locked")
        document.locked_by, document.lock_token = actor, secrets.token_urlsafe(24)
        document.lock_expires_at = timezone.now() + LOCK_FOR
        document.save(update_fields=["locked_by", "lock_token", "lock_expires_at"])
        audit.record(actor=actor, action="documents.document.check_out", obj=document, trail=document.case or document,
                     after={"until": document.lock_expires_at})
    return document.lock_token


def document_check_in(*, actor, document, lock_token, upload=None, comment=""):
    """Add the edited version (if any) and release the lock."""
    with transaction.atomic(), audit.batch():
        version = None
        if upload is not None:
            version = version_add(actor=actor, document=document, upload=upload, comment=comment,
                                  lock_token=lock_token)
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not document.is_locked() or document.lock_token != lock_token:
            raise InvalidTransition(_("This check-out has ended or belongs to someone else."),
                                    code="lock_token_mismatch")
        _unlock(document)
        audit.record(actor=actor, action="documents.document.check_in", obj=document, trail=document.case or document,
                     after={"version": version.number if version else None})
    return version


def document_break_lock(*, actor, document, reason):
    """A supervisor (or an administrator) ends someone else's check-out."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the check-out is broken.")]})
    with transaction.atomic(), audit.batch():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if not access.can_break_lock(actor, document):
            raise PermissionDenied()
        if not document.is_locked():
            raise InvalidTransition(_("“%(title)s” is not checked out.") % {"title": document.title},
                                    code="document_not_locked")
        holder = document.locked_by
        _unlock(document)
        audit.record(actor=actor, action="documents.document.break_lock", obj=document,
                     trail=document.case or document,
                     before={"checked_out_by": holder.full_name if holder else None}, after={"reason": reason})


def _unlock(document):
    document.locked_by, document.lock_token, document.lock_expires_at = None, "", None
    document.save(update_fields=["locked_by", "lock_token", "lock_expires_at"])


def check_readable(actor, version):
    """Refuse a version its reader may not see, or whose document was disposed of."""
    document = version.document
    if not access.can_read(actor, document):
        raise PermissionDenied()
    if document.disposed_at:
        raise DocumentDisposed(_("“%(title)s” was disposed of on %(date)s: its retention period had ended.") % {
            "title": document.title, "date": timezone.localtime(document.disposed_at).strftime("%Y-%m-%d")})


def record_read(actor, version, *, action, reason=None):
    """Audit a read (``action``: of the version, or of its preview) when the document's
    confidentiality says every read is logged."""
    document = version.document
    if document.confidentiality not in Confidentiality.logged():
        return
    after = {"version": version.number, "sha256": version.sha256, "confidentiality": document.confidentiality}
    if reason is not None:
        after["reason"] = reason[:500]
    with transaction.atomic(), audit.batch():
        audit.record(actor=actor, action=action, obj=version, trail=document.case or document, after=after,
                     label=f"{document.case or document} — {document.title} v{version.number}")


def version_open(*, actor, version, reason=""):
    """The version's bytes as a verified stream, for someone allowed to read
    it. Reads of confidential and secret-personal documents are audited, with
    the reason when one is given."""
    check_readable(actor, version)
    record_read(actor, version, action="documents.version.read", reason=reason)
    return blob_stream(version.blob_key, sha256=version.sha256, size=version.size)
