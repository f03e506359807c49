"""Upload checks: size, type by content (magic bytes) and a clean file name."""

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass

import magic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}


@dataclass
class CheckedUpload:
    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name):
    base = os.path.basename(name.replace("\\", "/"))
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ]", "_", base, flags=re.UNICODE).strip(" .")
    return (base or "file")[:150]


def check_upload(uploaded, *, field):
    """Return a CheckedUpload or raise ValidationFailed naming ``field``."""

    def fail(message):
        raise ValidationFailed(message, code="upload_rejected", fields={field: [message]})

    name = clean_filename(uploaded.name or "")
    limit = settings.MUNIS_UPLOAD_MAX_BYTES
    if uploaded.size > limit:
        fail(_("“%(name)s” is too large (%(size)s); the limit is %(limit)s.") % {
            "name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)})
    if uploaded.size == 0:
        fail(_("“%(name)s” is empty.") % {"name": name})
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    detected = magic.from_buffer(head, mime=True)
    if detected not in settings.MUNIS_UPLOAD_ALLOWED_TYPES:
        fail(_("“%(name)s” is not an accepted file type. Upload a PDF, JPEG or PNG file.") % {"name": name})
    ext = os.path.splitext(name)[1].lower()
    if ext not in EXTENSIONS.get(detected, set()):
        fail(_("The name “%(name)s” does not match its content (%(type)s).") % {"name": name, "type": detected})
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return CheckedUpload(file=uploaded, name=name, content_type=detected, size=uploaded.size, sha256=digest.hexdigest())
