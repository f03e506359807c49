"""Where document blobs live when no S3 is configured: files under
``MEDIA_ROOT/documents`` (on S3: documents.storage_s3). Keys are content-addressed
(documents.blobs), so a key always holds the same bytes: a blob is written under
a temporary name and renamed into place, so a reader never sees half a file and
two uploads of the same bytes at once both succeed.

Both storages also list what they hold (``iter_blobs``, for the blob sweeper in
documents.sweeper) and name the errors they raise when the storage itself fails
(``failures``), so work done after a commit can catch those and leave the rest
to the sweeper."""

import contextlib
import datetime
import os
import uuid
from typing import NamedTuple

from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class BlobEntry(NamedTuple):
    """One stored object as a listing sees it."""

    key: str
    size: int
    modified: datetime.datetime


class BlobNotDestroyed(RuntimeError):
    """Some of what was to be destroyed is still stored (the storage refused part of it)."""


class LocalBlobStorage(FileSystemStorage):
    #: what reading, writing or deleting may raise when the disk or its permissions fail
    failures = (OSError,)

    @cached_property
    def base_location(self):
        return os.path.join(super().base_location, "documents")

    def stored_size(self, name):
        """The blob's size, or None when there is none (one stat)."""
        try:
            return os.stat(self.path(name)).st_size
        except FileNotFoundError:
            return None

    def get_available_name(self, name, max_length=None):
        return name  # a key names its bytes: a blob already there is the same blob, never a reason to rename

    def _save(self, name, content):
        # Django's own save would lock the file and pick a free name first; neither is needed for
        # a temporary file of our own, and a submission writes several blobs on the request path.
        path = self.path(name)
        directory = os.path.dirname(path)
        os.makedirs(directory, exist_ok=True, mode=self.directory_permissions_mode or 0o777)
        partial = f"{path}.partial-{uuid.uuid4().hex}"
        try:
            with open(partial, "xb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
            if self.file_permissions_mode is not None:
                os.chmod(partial, self.file_permissions_mode)
            os.replace(partial, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(partial)
            raise
        return name

    def destroy(self, name):
        """Gone for good (a file has no older versions to remove, unlike an S3 object)."""
        self.delete(name)

    def iter_blobs(self, prefix, *, start_after=""):
        """Every file under the folder ``prefix`` as a BlobEntry, in the order of their names (as S3
        lists keys), after ``start_after``: one folder is read at a time (os.scandir), so a listing
        of millions of files is streamed, and folders wholly before ``start_after`` are not read."""
        yield from self._walk(prefix.strip("/"), start_after)

    def _walk(self, folder, start_after):
        try:
            with os.scandir(self.path(folder)) as found:
                # a folder sorts as its name and a slash, so the names come out in key order
                entries = sorted(found, key=lambda entry: entry.name + ("/" if entry.is_dir() else ""))
        except (FileNotFoundError, NotADirectoryError):
            return
        for entry in entries:
            name = f"{folder}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                inside = name + "/"
                if start_after > inside and not start_after.startswith(inside):
                    continue  # every key in this folder comes before start_after
                yield from self._walk(name, start_after)
            elif entry.is_file(follow_symlinks=False) and name > start_after:
                try:
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed since the folder was read
                yield BlobEntry(name, stat.st_size, datetime.datetime.fromtimestamp(stat.st_mtime, tz=datetime.UTC))

    def destroy_dir(self, directory):
        """Every file in ``directory`` (e.g. an upload's chunks), then the folder."""
        try:
            _dirs, names = self.listdir(directory)
        except FileNotFoundError:
            return
        for name in names:
            self.delete(f"{directory}/{name}")
        try:
            os.rmdir(self.path(directory))
        except OSError:
            pass  # not empty after all, or gone meanwhile: only a folder is left


class BlobRetained(DomainError):
    """A blob under retention (S3 Object Lock) was asked to be deleted before its date."""

    code = "document_retained"
    status = 409
    default_message = _("This document is kept under a legal retention period and cannot be deleted yet.")



def storage_failures(storage):
    """The errors ``storage`` raises when it fails or refuses (a blob under retention included):
    what after-commit work catches, logs, and leaves to the sweeper."""
    return (*getattr(storage, "failures", (OSError,)), BlobRetained, BlobNotDestroyed)
