"""Resumable uploads: a file too big to send in one request arrives in chunks.

The client starts an upload session (file name and size), then sends the bytes
in order, one chunk per request. Each chunk becomes an object of its own under
``uploads/<session>/<offset>`` on the documents storage (S3 cannot append to an
object) and the session row moves its offset on, under a row lock, so two
copies of the same request never both append. After a dropped connection or a
reload the client asks for the offset and carries on from there; a chunk sent
twice is answered, not stored twice.

A complete session stands in for the file on a form: it is put together again
in a local temporary file (``upload_session_file``), checked by
``documents.uploads.check_upload`` like any upload (``MUNIS_UPLOAD_MAX_BYTES``
included) and stored the same way; storing it ends the session
(``upload_session_used``) and its chunks are removed once that commits.
Sessions nobody finished or used expire a day after their last chunk; the
timers drop them (``forget_expired``).
"""

import datetime
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.http import UnreadablePostError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError, NotFound, ValidationFailed

from .blobs import documents_storage
from .storage import storage_failures
from .upload_sessions import UploadSession
from .uploads import clean_filename

log = logging.getLogger(__name__)

MiB = 1024 * 1024
#: the most bytes one chunk may carry (the client is told with every answer)
CHUNK_BYTES = 8 * MiB
#: what is read from the request, or from a stored chunk, at a time
READ_PIECE = MiB
#: a session unused this long after its last chunk is dropped
KEPT_FOR = datetime.timedelta(hours=24)
#: sessions a person may have open at once (each may hold up to MUNIS_RESUMABLE_UPLOAD_MAX_BYTES)
MAX_OPEN_SESSIONS = 10
CHUNKS_DIR = "uploads"


class UploadTooLarge(DomainError):
    code = "upload_too_large"
    status = 413


class TooManyUploads(DomainError):
    code = "too_many_uploads"
    status = 429
    default_message = gettext_lazy("You have too many uploads in progress. Finish or cancel one of them first.")


class UploadExpired(DomainError):
    code = "upload_expired"
    status = 410
    default_message = gettext_lazy("This upload has expired. Please start it again.")


class ChunkOutOfOrder(DomainError):
    """The chunk does not start where the upload stands; ``offset`` says where that is."""

    code = "upload_offset_mismatch"
    status = 409

    def __init__(self, *, start, offset):
        self.offset = offset
        super().__init__(_("This chunk starts at byte %(start)s, but the upload continues at byte %(offset)s.") % {
            "start": start, "offset": offset})


@dataclass(frozen=True)
class UploadRef:
    """A form's pointer to a completed upload session, sent instead of the file."""

    session_id: str


class ResumedUpload(TemporaryUploadedFile):
    """A completed session put together again in a local temporary file, shaped
    like a file from a form post (name, size, read, seek, chunks). Storing it as
    a document ends the session (``upload_session_used``)."""

    def __init__(self, session, *, field):
        super().__init__(session.name, "application/octet-stream", session.size, None)
        self.upload_session_id = session.pk
        self.upload_field = field


def chunk_dir(session_id):
    return f"{CHUNKS_DIR}/{session_id}"


def chunk_name(session_id, start):
    return f"{chunk_dir(session_id)}/{start:012d}"


# --- reads ---------------------------------------------------------------------------------------------------------

def upload_session_of(*, user, pk):
    """The person's own upload session ``pk`` (a UUID or its text), or None:
    to anyone else a session does not exist."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return UploadSession.objects.filter(pk=pk, owner=user).first()


def _locked(session_id, owner):
    sessions = UploadSession.objects.filter(pk=session_id, owner=owner)
    if not connection.features.has_select_for_update:
        # SQLite has no row locks: writing first takes the database's write lock for this transaction.
        sessions.update(updated_at=F("updated_at"))
    return sessions.select_for_update().first()


# --- write paths -----------------------------------------------------------------------------------------------------

def upload_session_start(*, actor, name, size):
    """Open a session for a file of ``size`` bytes (at most MUNIS_RESUMABLE_UPLOAD_MAX_BYTES)."""
    name = clean_filename(name or "")
    limit = settings.MUNIS_RESUMABLE_UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadTooLarge(_("“%(name)s” is too large (%(size)s); the limit is %(limit)s.") % {
            "name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)})
    if size <= 0:
        raise ValidationFailed(fields={"size": [_("“%(name)s” is empty.") % {"name": name}]})
    now = timezone.now()
    with transaction.atomic(), audit.batch():
        if UploadSession.objects.filter(owner=actor, expires_at__gt=now).count() >= MAX_OPEN_SESSIONS:
            raise TooManyUploads()
        session = UploadSession.objects.create(owner=actor, name=name, size=size, created_at=now, updated_at=now,
                                               expires_at=now + KEPT_FOR)
        audit.record(actor=actor, action="documents.upload.start", obj=session,
                     after={"name": session.name, "size": session.size})
    return session


def upload_session_append(*, actor, session, start, end, total, body, length):
    """Store bytes ``start``…``end`` (inclusive, of ``total``) read from ``body``, which
    announces ``length`` bytes, if the upload stands at ``start``. A chunk stored
    already (a retry) changes nothing. Returns the session as it stands."""
    _check_range(session, start=start, end=end, total=total, length=length)
    if end < session.offset:
        return session
    if start != session.offset:
        raise ChunkOutOfOrder(start=start, offset=session.offset)
    with _received(body, length) as received, transaction.atomic(), audit.batch():
        session = _locked(session.pk, actor)
        if session is None:
            raise NotFound()
        if end < session.offset:
            return session
        if start != session.offset:
            raise ChunkOutOfOrder(start=start, offset=session.offset)
        _put_chunk(chunk_name(session.pk, start), received, length)
        now = timezone.now()
        session.offset, session.updated_at, session.expires_at = end + 1, now, now + KEPT_FOR
        if session.is_complete:
            session.completed_at = now
            audit.record(actor=actor, action="documents.upload.complete", obj=session,
                         after={"name": session.name, "size": session.size})
        session.save(update_fields=["offset", "updated_at", "expires_at", "completed_at"])
    return session


def _check_range(session, *, start, end, total, length):
    if session.is_expired():
        raise UploadExpired()
    if total != session.size:
        raise ValidationFailed(fields={"Content-Range": [
            _("This upload is for a file of %(size)s bytes, not %(total)s.") % {"size": session.size, "total": total}]})
    if not 0 <= start <= end < session.size:
        raise ValidationFailed(fields={"Content-Range": [
            _("Bytes %(first)s–%(last)s are not within the file (%(size)s bytes).") % {
                "first": start, "last": end, "size": session.size}]})
    if end - start + 1 > CHUNK_BYTES:
        raise UploadTooLarge(_("A chunk may hold at most %(limit)s bytes.") % {"limit": CHUNK_BYTES})
    if length != end - start + 1:
        raise ValidationFailed(fields={"Content-Length": [_wrong_length(received=length, expected=end - start + 1)]})


def _wrong_length(*, received, expected):
    return _("The chunk has %(received)s bytes, but its Content-Range announces %(expected)s.") % {
        "received": received, "expected": expected}


def _received(body, length):
    """The request's bytes in a temporary file (in memory up to READ_PIECE), read
    piece by piece before any lock is taken, so a slow client holds no lock."""
    buffer = tempfile.SpooledTemporaryFile(max_size=READ_PIECE, dir=settings.FILE_UPLOAD_TEMP_DIR)
    received = 0
    try:
        while received < length:
            data = body.read(min(READ_PIECE, length - received)) if body is not None else b""
            if not data:
                break
            buffer.write(data)
            received += len(data)
    except UnreadablePostError:
        pass  # the client went away: it resumes from the offset
    if received != length:
        buffer.close()
        raise ValidationFailed(fields={"Content-Length": [_wrong_length(received=received, expected=length)]})
    buffer.seek(0)
    return buffer


def _put_chunk(name, content, size):
    storage = documents_storage()
    if storage.exists(name):  # left by an attempt whose transaction did not commit: never a stored chunk
        storage.delete(name)
    chunk = File(content, name=os.path.basename(name))
    chunk.size = size
    stored = storage.save(name, chunk)
    if stored != name:
        raise RuntimeError(f"The chunk {name} was stored as {stored}.")


def upload_session_cancel(*, actor, session):
    """End a session and remove what it received."""
    with transaction.atomic(), audit.batch():
        session = _locked(session.pk, actor)
        if session is None:
            raise NotFound()
        audit.record(actor=actor, action="documents.upload.cancel", obj=session, label=session.name,
                     before={"name": session.name, "size": session.size, "offset": session.offset})
        session_id = session.pk
        session.delete()
        transaction.on_commit(partial(_remove_chunks, [session_id]))


def upload_session_keep(*, actor, upload, replaces=None):
    """Keep a file that arrived whole with a form sent back for errors elsewhere as a completed session
    of its sender, so the form can offer it again (its id in the form's ``doc_<code>_upload`` field)
    and the next post need not carry it. It is then used like any completed session: by its owner only
    (``upload_session_file``), ended when stored, dropped when left unused (``forget_expired``).
    ``replaces``: the id of the kept file this one takes the place of on the form, ended here when it
    is the actor's. The caller has checked the file (documents.uploads.check_upload)."""
    now = timezone.now()
    with transaction.atomic(), audit.batch():
        previous = upload_session_of(user=actor, pk=replaces) if replaces else None
        if previous is not None:
            audit.record(actor=actor, action="documents.upload.cancel", obj=previous, label=previous.name,
                         before={"name": previous.name, "size": previous.size, "offset": previous.offset})
            previous.delete()
            transaction.on_commit(partial(_remove_chunks, [replaces]))
        if UploadSession.objects.filter(owner=actor, expires_at__gt=now).count() >= MAX_OPEN_SESSIONS:
            raise TooManyUploads()
        session = UploadSession.objects.create(
            owner=actor, name=clean_filename(upload.name or ""), size=upload.size, offset=upload.size,
            created_at=now, updated_at=now, completed_at=now, expires_at=now + KEPT_FOR)
        upload.seek(0)
        _put_chunk(chunk_name(session.pk, 0), upload, upload.size)  # one chunk: _assemble reads it whole
        upload.seek(0)
        audit.record(actor=actor, action="documents.upload.keep", obj=session,
                     after={"name": session.name, "size": session.size})
    return session


def upload_session_file(*, actor, session_id, field):
    """The actor's completed session ``session_id`` as a local temporary file, to be
    checked and stored like a file sent with the form; a ValidationFailed on
    ``field`` when there is no such session of theirs, or it is not complete or expired."""
    session = upload_session_of(user=actor, pk=session_id)
    if session is None:
        raise _refused(field, _("The uploaded file was not found. Please choose the file again."), "upload_not_found")
    if session.is_expired():
        raise _refused(field, _("The upload of “%(name)s” has expired. Please choose the file again.") % {
            "name": session.name}, "upload_expired")
    if not session.is_complete:
        raise _refused(field, _("“%(name)s” has not finished uploading. Wait until it is complete, or choose the "
                                "file again.") % {"name": session.name}, "upload_incomplete")
    upload = ResumedUpload(session, field=field)
    try:
        _assemble(session, upload)
    except (FileNotFoundError, _Damaged):
        upload.close()
        log.exception("Upload session %s could not be put together from its chunks", session.pk)
        raise _refused(field, _("The uploaded file was not found. Please choose the file again."),
                       "upload_not_found") from None
    upload.seek(0)
    return upload


class _Damaged(Exception):
    pass


def _assemble(session, target):
    """Copy the chunks in order: each is named by the offset it starts at, so
    the next one's name is the number of bytes copied so far."""
    storage, position = documents_storage(), 0
    while position < session.size:
        start = position
        with storage.open(chunk_name(session.pk, start), "rb") as chunk:
            while data := chunk.read(READ_PIECE):
                target.write(data)
                position += len(data)
        if position == start or position > session.size:
            raise _Damaged(f"chunk at {start} is empty or runs past the end")
    target.flush()


def _refused(field, message, code):
    return ValidationFailed(message, code=code, fields={field: [message]})


def upload_session_used(file, *, actor):
    """``file`` is being stored as a document: if it came from an upload session,
    end the session (inside the caller's transaction) and remove its chunks once
    that commits. A session already used (the same form sent twice at once) refuses."""
    session_id = getattr(file, "upload_session_id", None)
    if session_id is None:
        return
    session = _locked(session_id, actor)
    if session is None or not session.is_complete:
        message = _("The uploaded file was not found. Please choose the file again.")
        raise ValidationFailed(message, code="upload_not_found", fields={file.upload_field: [message]})
    session.delete()
    transaction.on_commit(partial(_remove_chunks, [session_id]))


def forget_expired(now=None, batch=500):
    """Drop sessions past their expiry and their chunks (run by the timers), each audited as the
    system's ``documents.upload.expire`` with what it had received; returns how many."""
    now = now or timezone.now()
    with transaction.atomic(), audit.batch():
        expired = list(UploadSession.objects.select_for_update(skip_locked=True).filter(expires_at__lte=now)
                       .order_by("expires_at")[:batch])
        for session in expired:
            audit.record(actor=None, action="documents.upload.expire", obj=session, label=session.name,
                         before={"name": session.name, "size": session.size, "offset": session.offset,
                                 "owner": session.owner_id, "expired_at": session.expires_at})
        if expired:
            ids = [session.pk for session in expired]
            UploadSession.objects.filter(pk__in=ids).delete()
            transaction.on_commit(partial(_remove_chunks, ids))
    return len(expired)


# --- chunks on the storage -------------------------------------------------------------------------------------------

def _remove_chunks(session_ids):
    """After the commit that ended the sessions: nothing here may fail it. Chunks the storage keeps
    are only wasted space; the blob sweeper (documents.sweeper) removes them later."""
    storage = documents_storage()
    for session_id in session_ids:
        try:
            storage.destroy_dir(chunk_dir(session_id))  # on S3 every version, not only a delete marker
        except storage_failures(storage) as exc:
            log.warning("The chunks of the ended upload session %s were not removed (%s: %s); they stay under "
                        "%s/ until the blob sweeper removes them", session_id, type(exc).__name__, exc,
                        chunk_dir(session_id))


