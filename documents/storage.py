"""Where document blobs live when no S3 is configured: files under
``MEDIA_ROOT/documents`` (on S3: documents.storage_s3). Keys are content-addressed
(documents.blobs), so a key always holds the same bytes: a blob is written under
a temporary name and renamed into place, so a reader never sees half a file and
two uploads of the same bytes at once both succeed."""

import contextlib
import os
import uuid

from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class LocalBlobStorage(FileSystemStorage):
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

