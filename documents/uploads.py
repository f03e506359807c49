"""The gate every uploaded file passes before the document store keeps it.

A file is judged by its content, never by its name or the type the browser
claims: size first (before reading it), then its kind by magic bytes, then
what that kind must not carry (documents.inspection: polyglots, active PDF
content, macros, zip bombs), the allow-list, the name's extension, and last the
virus scanner when one is configured (documents.antivirus). The file is read in
chunks, never whole. Each refusal is a ``ValidationFailed`` with a stable code
and a message naming the file, on the form field the file came in.
"""

import hashlib
import logging
import os
import re
import unicodedata
from dataclasses import dataclass

import magic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

from . import antivirus, inspection

logger = logging.getLogger(__name__)

DEFAULT_ALLOWED_TYPES = ("application/pdf", "image/jpeg", "image/png")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"

# What a deployment may put in MUNIS_UPLOAD_ALLOWED_TYPES, with the names it may carry.
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    DOCX: {".docx"},
    XLSX: {".xlsx"},
    PPTX: {".pptx"},
    ODT: {".odt"},
    ODS: {".ods"},
    ODP: {".odp"},
}
LABELS = {
    "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", DOCX: "DOCX", XLSX: "XLSX", PPTX: "PPTX",
    ODT: "ODT", ODS: "ODS", ODP: "ODP",
}
# The kind (documents.inspection.sniff) a file of each type must start as.
KINDS = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png"}
EXECUTABLE_TYPES = frozenset({
    "application/x-executable", "application/x-pie-executable", "application/x-sharedlib",
    "application/x-dosexec", "application/x-msdownload", "application/vnd.microsoft.portable-executable",
    "application/x-mach-binary", "application/x-elf", "application/java-archive", "application/x-java-applet",
    "text/x-shellscript", "application/x-shellscript",
})
HEAD_BYTES = 8192


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


def allowed_types():
    """The content types an upload may have (MUNIS_UPLOAD_ALLOWED_TYPES)."""
    return list(getattr(settings, "MUNIS_UPLOAD_ALLOWED_TYPES", DEFAULT_ALLOWED_TYPES))


def accepted_types_in_words():
    """The allowed types as people name them, for the hints that tell them before they choose a file:
    "PDF, JPEG or PNG"."""
    names = [LABELS.get(content_type, content_type) for content_type in allowed_types()]
    if len(names) < 2:
        return "".join(names)
    return _("%(types)s or %(last)s") % {"types": ", ".join(names[:-1]), "last": names[-1]}


def accepted_for_input():
    """A file input's ``accept``: the allowed types and the extensions their files may carry (a browser's file
    chooser offers those first; the checks here still decide)."""
    allowed = allowed_types()
    extensions = sorted({extension for content_type in allowed for extension in EXTENSIONS.get(content_type, ())})
    return ",".join([*extensions, *allowed])


def size_limit():
    """MUNIS_UPLOAD_MAX_BYTES as people read it, in their language: "10 MB" rather than "10.0 MB"."""
    return re.sub(r"(\d)[.,]0(?!\d)", r"\1", filesizeformat(settings.MUNIS_UPLOAD_MAX_BYTES))


def zip_limits():
    return inspection.ZipLimits(
        entries=getattr(settings, "MUNIS_UPLOAD_ZIP_MAX_ENTRIES", 1000),
        uncompressed=getattr(settings, "MUNIS_UPLOAD_ZIP_MAX_UNCOMPRESSED", 256 * 1024 * 1024),
        ratio=getattr(settings, "MUNIS_UPLOAD_ZIP_MAX_RATIO", 100),
    )


class _Refused(Exception):
    def __init__(self, code, message, status=None):
        super().__init__(code)
        self.code, self.message, self.status = code, message, status


def check_upload(uploaded, *, field):
    """Return a CheckedUpload or raise ValidationFailed naming ``field``."""
    name = clean_filename(uploaded.name or "")
    try:
        return _check(uploaded, name)
    except _Refused as refusal:
        error = ValidationFailed(refusal.message, code=refusal.code, fields={field: [refusal.message]})
        if refusal.status:
            error.status = refusal.status
        raise error from None
    finally:
        uploaded.seek(0)


def _check(uploaded, name):
    size = uploaded.size
    limit = settings.MUNIS_UPLOAD_MAX_BYTES
    if size > limit:
        raise _Refused("too_large", _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.") % {
            "name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)})
    if size == 0:
        raise _Refused("empty", _("“%(name)s” is empty.") % {"name": name})
    allowed = allowed_types()

    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    detected = magic.from_buffer(head, mime=True)
    kind = inspection.sniff(head)
    if kind == "executable" or detected in EXECUTABLE_TYPES:
        _log(name, "executable", detected)
        raise _Refused("executable", _not_accepted(name, allowed))
    if kind == "svg" or detected == "image/svg+xml":
        _log(name, "svg", detected)
        raise _Refused("svg", _("“%(name)s” is an SVG image. SVG files can carry scripts and are not accepted; "
                                "save the drawing as PDF or PNG and upload that.") % {"name": name})

    digest = hashlib.sha256()
    try:
        inspection.check_head(head)
        if kind == "zip":
            detected = inspection.inspect_zip(uploaded, size, zip_limits())
        inspection.inspect_content(uploaded, kind=kind, size=size, digest=digest)
    except inspection.Unsafe as unsafe:
        _log(name, unsafe.reason, unsafe.detail)
        raise _Refused(unsafe.reason, _unsafe_message(unsafe, name)) from None

    if detected not in allowed:
        raise _Refused("type_not_allowed", _not_accepted(name, allowed))
    if KINDS.get(detected, kind) != kind:  # libmagic found the type further in than a reader would start
        _log(name, "polyglot", f"{detected} detected in a file that starts as {kind}")
        raise _Refused("polyglot", _unsafe_message(inspection.Unsafe("polyglot"), name))
    if os.path.splitext(name)[1].lower() not in EXTENSIONS.get(detected, set()):
        raise _Refused("name_mismatch", _("The name “%(name)s” does not match its content (%(type)s).") % {
            "name": name, "type": detected})
    _scan_for_viruses(uploaded, name)
    return CheckedUpload(file=uploaded, name=name, content_type=detected, size=size, sha256=digest.hexdigest())


def _not_accepted(name, allowed):
    if set(allowed) == set(DEFAULT_ALLOWED_TYPES):
        return _("“%(name)s” is not an accepted file type. Upload a PDF, JPEG or PNG file.") % {"name": name}
    return _("“%(name)s” is not an accepted file type. Accepted types: %(types)s.") % {
        "name": name, "types": ", ".join(LABELS.get(content_type, content_type) for content_type in allowed)}


def _unsafe_message(unsafe, name):
    reason = unsafe.reason
    if reason == "active_content":
        return _("“%(name)s” contains active content (%(what)s): scripts, actions that start programs, attached "
                 "files or forms that send data. Save it as a plain PDF (for example with “Print to PDF”) and "
                 "upload that.") % {"name": name, "what": unsafe.detail}
    if reason == "macro":
        return _("“%(name)s” contains macros or other program code. Save it as a document without macros and "
                 "upload that.") % {"name": name}
    if reason == "zip_bomb":
        return _("“%(name)s” would unpack to far more data, or many more parts, than is safe to accept "
                 "(a “zip bomb”).") % {"name": name}
    if reason == "nested_archive":
        return _("“%(name)s” contains another archive (%(entry)s). Upload the documents themselves, not "
                 "archives.") % {"name": name, "entry": unsafe.detail[:100]}
    if reason == "uncheckable":
        return _("“%(name)s” has parts that are encrypted or packed in a way that cannot be checked. Save it again "
                 "without encryption and upload that.") % {"name": name}
    if reason == "damaged":
        return _("“%(name)s” is damaged or incomplete.") % {"name": name}
    return _("“%(name)s” hides another kind of file inside or after its content, and is refused.") % {"name": name}


def _scan_for_viruses(uploaded, name):
    try:
        scanner = antivirus.configured_scanner()
        if scanner is None:
            return
        uploaded.seek(0)
        scanner.scan(uploaded)
    except antivirus.VirusFound as found:
        _log(name, "virus_found", found.signature)
        raise _Refused("virus_found", _("“%(name)s” contains a virus (%(signature)s) and is refused.") % {
            "name": name, "signature": found.signature}) from None
    except Exception:  # any failure of the scanner refuses the file: fail closed
        logger.exception("Upload %r could not be scanned for viruses", name)
        raise _Refused("scanner_unavailable", _(
            "“%(name)s” could not be checked for viruses. Please try again later.") % {"name": name},
            status=503) from None


def _log(name, code, detail):
    logger.warning("Upload %r refused (%s): %s", name, code, detail)
