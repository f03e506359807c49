"""What the public verify page needs besides the issued record: a name shown
without giving it away, and a way to fingerprint an uploaded PDF without keeping it.

``DigestUploadHandler`` replaces Django's upload handlers for the page's one
file: each chunk is hashed as it arrives and dropped, so the upload is never
held in memory nor written to a temporary file, and past the size limit the rest
of it is skipped unread by the hash.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

PDF_MAGIC = b"%PDF-"


def mask_name(name):
    """``Aziza Karimova`` → ``A***a K*****a``: enough to recognise, not enough to read."""
    def mask(word):
        if len(word) <= 1:
            return word
        if len(word) == 2:
            return word[0] + "*"
        return word[0] + "*" * (len(word) - 2) + word[-1]

    return " ".join(mask(word) for word in (name or "").split())


@dataclass
class UploadDigest:
    name: str
    size: int = 0
    head: bytes = b""
    too_large: bool = False
    complete: bool = False
    digest: object = field(default_factory=hashlib.sha256)

    @property
    def sha256(self):
        return self.digest.hexdigest()

    @property
    def is_pdf(self):
        return self.head.startswith(PDF_MAGIC)


class DigestUploadHandler(FileUploadHandler):
    """Hash the first file sent as ``field``; skip every other file. ``result`` is the
    UploadDigest (None when no such file came)."""

    def __init__(self, request=None, *, field, limit):
        super().__init__(request)
        self.field, self.limit, self.result = field, limit, None

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        if field_name != self.field or self.result is not None:
            raise SkipFile()
        self.result = UploadDigest(name=file_name or "")

    def receive_data_chunk(self, raw_data, start):
        result = self.result
        result.size += len(raw_data)
        if result.size > self.limit:
            result.too_large = True
            raise SkipFile()
        if len(result.head) < len(PDF_MAGIC):
            result.head += raw_data[:len(PDF_MAGIC) - len(result.head)]
        result.digest.update(raw_data)
        return None  # consumed here: nothing is kept

    def file_complete(self, file_size):
        self.result.complete = True
        return None
