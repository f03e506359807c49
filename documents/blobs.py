"""Content-addressed blobs on the ``documents`` storage.

A blob's key is derived from its SHA-256, so the same bytes are stored once
and a key always promises the same bytes. Bytes are streamed in chunks both
ways (never a whole file in memory) and hashed as they pass: a write whose
bytes don't match the hash they were checked under is undone, and a read that
doesn't match its key's hash is refused rather than served.

The bytes are written before the transaction that names them commits, so a
rolled-back transaction leaves a blob nobody names; the blob sweeper
(documents.sweeper) removes those after a grace period. ``blob_put`` claims its
key for the rest of the caller's transaction (``blob_claim``), and the sweeper
removes a blob only under the exclusive claim (``blob_claim_exclusive``): a
transaction that finds the bytes stored already and only names them can never
see them swept away before it commits.
"""

import hashlib
import logging

from django.core.files import File
from django.core.files.storage import storages
from django.db import connection
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
#: blobs up to this size are checked in full before the first byte is sent;
#: bigger ones are checked as they stream and the download is cut off on a mismatch
VERIFY_BEFORE_SENDING = 16 * 1024 * 1024


class BlobDamaged(DomainError):
    code = "document_damaged"
    status = 503
    default_message = _("The stored copy of this document failed its integrity check, so it was not sent. "
                        "The administrators have been told; please try again later.")


def documents_storage():
    return storages["documents"]


def blob_key(sha256):
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


class _HashingFile(File):
    """Hashes what the storage reads from it; a rewind (a retried upload) starts over."""

    def __init__(self, file):
        super().__init__(file)
        self._restart()

    def _restart(self):
        self.digest, self.bytes_read = hashlib.sha256(), 0

    def read(self, *args):
        data = self.file.read(*args)
        self.digest.update(data)
        self.bytes_read += len(data)
        return data

    def seek(self, offset, whence=0):
        position = self.file.seek(offset, whence)
        if position == 0:
            self._restart()
        return position

    def chunks(self, chunk_size=None):
        self.seek(0)
        while data := self.read(chunk_size or CHUNK):
            yield data


class BlobMismatch(RuntimeError):
    pass


#: PostgreSQL advisory locks of blob keys: this number, then 32 bits of the key's hash
_LOCK_SPACE = 0x6D626C62


def _lock_of(key):
    return _LOCK_SPACE, int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)


def _take_sqlite_write_lock():
    # SQLite has no row or advisory locks; any write statement, even one that changes no row,
    # takes the database's write lock until the transaction ends.
    from .sweeper import SweepPosition

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SweepPosition._meta.db_table} SET last_key = last_key WHERE 1 = 0")


def blob_claim(*keys):
    """Keep the sweeper off ``keys`` until the caller's transaction ends (a shared claim: any
    number of transactions may hold it), in one statement. Outside a transaction there is
    nothing to hold it for."""
    if not keys or not connection.in_atomic_block:
        return
    if connection.vendor == "postgresql":
        locks = sorted({_lock_of(key) for key in keys})
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["pg_advisory_xact_lock_shared(%s, %s)"] * len(locks)),
                           [number for lock in locks for number in lock])
    elif connection.vendor == "sqlite":
        _take_sqlite_write_lock()


def blob_claim_exclusive(key):
    """The claim a blob is removed under, until the caller's transaction ends: True once held,
    False while a transaction that may name the blob holds ``blob_claim`` (PostgreSQL; never
    waits). On SQLite it waits for the write lock like any writer."""
    if not connection.in_atomic_block:
        raise RuntimeError("blob_claim_exclusive must run inside the remover's transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", _lock_of(key))
            return cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        _take_sqlite_write_lock()
    return True


def blob_put(file, *, sha256, size, claimed=False):
    """Store ``file`` (already hashed by the upload checks) under its key and
    return the key. Bytes already stored are not written again. Call it inside
    the transaction that names the blob: the key is claimed until it ends
    (``claimed``: the caller claimed it already, with others in one statement)."""
    storage, key = documents_storage(), blob_key(sha256)
    if not claimed:
        blob_claim(key)
    if storage.stored_size(key) == size:
        return key
    hashing = _HashingFile(file)
    hashing.seek(0)
    storage.save(key, hashing)
    if (hashing.digest.hexdigest(), hashing.bytes_read) != (sha256, size):
        storage.delete(key)
        raise BlobMismatch(f"The upload changed while it was stored (expected {sha256}, {size} bytes).")
    return key


def blob_retain(key, *, until):
    """Put the blob under retention until ``until`` where the storage can (S3 Object Lock,
    documents.storage_s3); returns the date in force, or None where the storage cannot."""
    storage = documents_storage()
    retain = getattr(storage, "retain", None)
    return retain(key, until) if retain is not None else None


def blob_read(key, *, sha256, size):
    """The whole blob, checked against its hash (for small generated files, e.g. a letter
    whose signature the verify page checks)."""
    return b"".join(blob_chunks(key, sha256=sha256, size=size))


def blob_digest(key):
    """(SHA-256, size) of the stored bytes, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with documents_storage().open(key, "rb") as handle:
        while data := handle.read(CHUNK):
            digest.update(data)
            size += len(data)
    return digest.hexdigest(), size


def blob_check(key, *, sha256, size):
    """None when the blob holds what its version promises, else what is wrong."""
    stored = documents_storage().stored_size(key)
    if stored is None:
        return "missing"
    if stored != size:
        return "size differs"
    if blob_digest(key)[0] != sha256:
        return "content differs"
    return None


def blob_stream(key, *, sha256, size):
    """An iterator over the blob's bytes that ends in an error instead of
    finishing a download whose bytes don't hash to ``sha256``."""
    if size > VERIFY_BEFORE_SENDING:
        return blob_chunks(key, sha256=sha256, size=size)
    problem = blob_check(key, sha256=sha256, size=size)
    if problem:
        log.error("Document blob %s: %s", key, problem)
        raise BlobDamaged()
    return _verified_chunks(key, sha256=sha256, size=size)


def blob_chunks(key, *, sha256, size):
    """The blob's bytes in chunks, read once, the hash checked when they end (a
    mismatch raises there). For readers that keep what they read until the end —
    bytes in memory, a temporary file — and for downloads too big to check first."""
    if documents_storage().stored_size(key) != size:
        log.error("Document blob %s is missing or has the wrong size", key)
        raise BlobDamaged()
    return _verified_chunks(key, sha256=sha256, size=size)


def _verified_chunks(key, *, sha256, size):
    digest, sent = hashlib.sha256(), 0
    with documents_storage().open(key, "rb") as handle:
        while data := handle.read(CHUNK):
            digest.update(data)
            sent += len(data)
            if sent > size:
                break
            yield data
    if (digest.hexdigest(), sent) != (sha256, size):
        log.error("Document blob %s changed while it was sent; the download was cut off", key)
        raise BlobDamaged()
