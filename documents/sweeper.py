"""The blob sweeper: what the document storage holds that nothing names any more.

Blobs are written before the transaction that names them commits (documents.blobs),
deleting bytes cannot be rolled back, and work done after a commit may fail (a
storage that refuses, a network that drops). So the storage can hold what no row
names: the blob of a submission that was rolled back, the blob of a disposed
document whose deletion failed after the disposal committed, the chunks of an upload
session whose clean-up failed. The timers run ``blobs_sweep`` (core.housekeeping),
which removes them once they are older than ``MUNIS_BLOB_SWEEP_GRACE_HOURS``:

- under ``sha256/``: blobs no version of a document that is kept and no preview of
  one names (on a versioned S3 bucket every version; a blob under Object Lock
  retention is left until its date);
- under ``uploads/``: chunk folders of upload sessions that no longer exist.

Each removal is a ``SweptBlob`` row and a ``documents.blob.sweep`` audit event by
the system, written in the transaction that removes it. A run reads at most
``MUNIS_BLOB_SWEEP_BATCH`` keys of each kind and the next run carries on where it
stopped (``SweepPosition``), so a huge bucket never stalls the timers.
"""

import datetime
import itertools
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit

from .blobs import blob_claim_exclusive, documents_storage
from .models import DocumentVersion
from .previews import DocumentPreview, preview_blobs_kept
from .resumable import CHUNKS_DIR
from .storage import BlobRetained, storage_failures
from .upload_sessions import UploadSession

log = logging.getLogger(__name__)

BLOBS_DIR = "sha256"
#: keys whose references are looked up in one query
LOOKUP = 500


class SweptBlob(models.Model):
    """Something the sweeper removed from the document storage, and why. Append-only."""

    class Reason(models.TextChoices):
        ORPHAN = "orphan", _("Named by no document (e.g. a submission that was rolled back)")
        DISPOSED = "disposed", _("Of disposed documents only (its deletion had failed)")
        CHUNKS = "chunks", _("Chunks of an upload that has ended")

    key = models.CharField(_("key"), max_length=300)
    size = models.PositiveBigIntegerField(_("size"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    modified_at = models.DateTimeField(_("last written"))
    swept_at = models.DateTimeField(_("removed"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-swept_at", "-id"]
        verbose_name = _("swept blob")
        verbose_name_plural = _("swept blobs")

    def __str__(self):
        return self.key


class SweepPosition(models.Model):
    """Where the sweep of one folder of the storage carries on at the next run."""

    prefix = models.CharField(max_length=50, primary_key=True)
    last_key = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.prefix}: {self.last_key or '(start)'}"


@dataclass
class SweepRun:
    examined: int = 0
    removed: Counter = field(default_factory=Counter)
    removed_bytes: int = 0
    retained: int = 0
    busy: int = 0
    failed: int = 0

    def __str__(self):
        removed = ", ".join(f"{reason} {count}" for reason, count in sorted(self.removed.items())) or "0"
        return (f"examined {self.examined}, removed {removed} ({self.removed_bytes} bytes), "
                f"retained {self.retained}, in use {self.busy}, failed {self.failed}")


# --- what names a blob --------------------------------------------------------------------------------------------

def _hashes(keys):
    return {key.rsplit("/", 1)[-1] for key in keys}


def blobs_named(keys):
    """Those of ``keys`` that a version of a document that is kept, or a preview of one, names.
    (Versions are found by their indexed SHA-256: a version's key is derived from it.)"""
    keys = set(keys)
    if not keys:
        return set()
    named = set(DocumentVersion.objects.filter(sha256__in=_hashes(keys), document__disposed_at__isnull=True)
                .values_list("blob_key", flat=True)) & keys
    return named | preview_blobs_kept(keys)


def _named_ever(key):
    """Whether any version or preview, of a disposed document too, names ``key``."""
    return (DocumentVersion.objects.filter(sha256__in=_hashes([key]), blob_key=key).exists()
            or DocumentPreview.objects.filter(blob_key=key).exists())


def blob_destroy_unnamed(key):
    """Destroy ``key`` now if nothing kept names it (after a disposal commits), in a transaction
    of its own under the exclusive claim. A blob the storage refuses to destroy, or that a running
    transaction has claimed, is logged and stays until the sweeper removes it. True when destroyed."""
    storage = documents_storage()
    try:
        with transaction.atomic():
            if not blob_claim_exclusive(key):
                log.info("Blob %s is in use by a running transaction; the blob sweeper removes it later "
                         "if nothing names it then", key)
                return False
            if blobs_named({key}):
                return False
            storage.destroy(key)
    except (*storage_failures(storage), OperationalError) as exc:
        log.warning("Blob %s of a disposed document was not deleted (%s: %s); it stays in the document storage "
                    "until the blob sweeper removes it, %s hours after it was written", key, type(exc).__name__,
                    exc, settings.MUNIS_BLOB_SWEEP_GRACE_HOURS)
        return False
    return True


# --- the sweep ----------------------------------------------------------------------------------------------------

def blobs_sweep(*, now=None, batch=None, grace=None):
    """One bounded pass of the sweeper (the timers run it): returns what it did. A storage
    that does not answer ends the pass with a warning; the next timer run tries again."""
    now = now or timezone.now()
    grace = grace if grace is not None else datetime.timedelta(hours=settings.MUNIS_BLOB_SWEEP_GRACE_HOURS)
    batch = batch or settings.MUNIS_BLOB_SWEEP_BATCH
    storage, run = documents_storage(), SweepRun()
    try:
        _sweep_blobs(storage, now=now, older_than=now - grace, batch=batch, run=run)
        _sweep_chunks(storage, now=now, older_than=now - grace, batch=batch, run=run)
    except storage_failures(storage) as exc:
        run.failed += 1
        log.warning("The blob sweep stopped: the document storage failed (%s: %s); the next timer run "
                    "carries on", type(exc).__name__, exc)
    if run.removed or run.failed:
        log.info("Blob sweep: %s", run)
    return run


def _page(prefix, storage, batch):
    """Up to ``batch`` entries after where the last run stopped, and whether more follow."""
    position, _created = SweepPosition.objects.get_or_create(prefix=prefix)
    listing = storage.iter_blobs(prefix, start_after=position.last_key)
    entries = list(itertools.islice(listing, batch + 1))
    listing.close()
    more = len(entries) > batch
    return position, entries[:batch], more


def _carry_on(position, last_key, now):
    """The next run starts after ``last_key`` ("" : from the start again)."""
    SweepPosition.objects.filter(pk=position.pk).update(last_key=last_key, updated_at=now)


def _sweep_blobs(storage, *, now, older_than, batch, run):
    position, entries, more = _page(BLOBS_DIR, storage, batch)
    run.examined += len(entries)
    for start in range(0, len(entries), LOOKUP):
        old = [entry for entry in entries[start:start + LOOKUP] if entry.modified < older_than]
        named = blobs_named({entry.key for entry in old})
        for entry in old:
            if entry.key not in named:
                _sweep_blob(storage, entry, now=now, run=run)
    _carry_on(position, entries[-1].key if more else "", now)


def _sweep_blob(storage, entry, *, now, run):
    size = storage.stored_size(entry.key)
    if size is None:
        return  # removed since it was listed
    reason = SweptBlob.Reason.DISPOSED if _named_ever(entry.key) else SweptBlob.Reason.ORPHAN
    try:
        with transaction.atomic():
            _record(entry.key, size=size, reason=reason, modified=entry.modified, now=now)
            if not _claimed_unnamed(entry.key, run):
                return
            storage.destroy(entry.key)  # last: a refusal rolls the record back
    except BlobRetained:
        run.retained += 1
        log.info("Blob %s is named by nothing but is under retention; it is swept after its date", entry.key)
        return
    except (*storage_failures(storage), OperationalError) as exc:
        run.failed += 1
        log.warning("The blob sweeper could not remove %s (%s: %s); it tries again on its next pass", entry.key,
                    type(exc).__name__, exc)
        return
    run.removed[reason] += 1
    run.removed_bytes += size


def _claimed_unnamed(key, run):
    """Inside the sweeper's transaction, after its audit event (so after the audit chain's lock: the
    sweeper never waits for that lock while it holds a claim a transaction holding the lock may be
    waiting for): True once the claim is held and nothing names ``key``; else the transaction is
    rolled back, record and all."""
    if not blob_claim_exclusive(key):
        run.busy += 1
    elif not blobs_named({key}):
        return True
    transaction.set_rollback(True)
    return False


def _session_id(name):
    try:
        return uuid.UUID(name)
    except ValueError:
        return None


def _sweep_chunks(storage, *, now, older_than, batch, run):
    """Chunk folders (``uploads/<session>/<offset>``) of sessions that no longer exist."""
    position, entries, more = _page(CHUNKS_DIR, storage, batch)
    run.examined += len(entries)
    folders = {}
    for entry in entries:
        parts = entry.key.split("/")
        if len(parts) == 3:
            folders.setdefault(parts[1], []).append(entry)
    last_key = entries[-1].key if more else ""
    if more and len(folders) > 1:
        # the page may have stopped inside the last folder: it is read whole on the next run
        unfinished = folders.popitem()[1]
        last_key = max((entry.key for entry in entries if entry.key < unfinished[0].key), default="")
    ids = {name: _session_id(name) for name in folders}
    alive = {str(pk) for pk in UploadSession.objects.filter(
        pk__in=[pk for pk in ids.values() if pk is not None]).values_list("pk", flat=True)}
    for name, chunks in folders.items():
        if ids[name] is not None and str(ids[name]) in alive:
            continue
        newest = max(chunk.modified for chunk in chunks)
        if newest < older_than:
            _sweep_folder(storage, name, chunks, newest=newest, now=now, run=run)
    _carry_on(position, last_key, now)


def _sweep_folder(storage, name, chunks, *, newest, now, run):
    folder = f"{CHUNKS_DIR}/{name}"
    size = sum(chunk.size for chunk in chunks)
    session_id = _session_id(name)
    try:
        with transaction.atomic():
            _record(folder + "/", size=size, reason=SweptBlob.Reason.CHUNKS, modified=newest, now=now,
                    chunks=len(chunks))
            if not blob_claim_exclusive(folder + "/"):  # another sweeper has it
                run.busy += 1
                transaction.set_rollback(True)
                return
            if session_id is not None and UploadSession.objects.filter(pk=session_id).exists():
                transaction.set_rollback(True)
                return
            storage.destroy_dir(folder)
    except (*storage_failures(storage), OperationalError) as exc:
        run.failed += 1
        log.warning("The blob sweeper could not remove the chunks under %s/ (%s: %s); it tries again on its "
                    "next pass", folder, type(exc).__name__, exc)
        return
    run.removed[SweptBlob.Reason.CHUNKS] += 1
    run.removed_bytes += size


def _record(key, *, size, reason, modified, now, **details):
    swept = SweptBlob.objects.create(key=key, size=size, reason=reason, modified_at=modified, swept_at=now)
    audit.record(actor=None, action="documents.blob.sweep", obj=swept,
                 after={"key": key, "size": size, "reason": reason, "modified_at": modified, **details})
    return swept
