"""Previews: a small PNG of the first page of a PDF or image version, so a clerk
sees what a file is before opening it.

Previews are made in the background only (``previews_make_pending``, run by the
timers and by ``manage.py make_previews``), never while a version is stored: an
upload costs what it cost before. PDFs are rendered by poppler's ``pdftoppm`` in
a subprocess with a time limit, images by Pillow; both read the version's blob
through a temporary file, checked against its hash on the way. The PNG is a
content-addressed blob like any other, so it is never overwritten.

Reading a preview is reading the document: ``preview_open`` asks
``documents.access`` like ``version_open`` does and puts reads of confidential
and secret-personal documents on the case's trail.
"""

import datetime
import hashlib
import io
import logging
import os
import subprocess
import tempfile
from collections import Counter

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .blobs import blob_chunks, blob_put, blob_stream
from .models import DocumentVersion

log = logging.getLogger(__name__)

#: previews fit this width (pixels); a smaller image is not enlarged
WIDTH = 320
#: and are at most this tall, whatever the page's shape
MAX_HEIGHT = 4 * WIDTH
PDFTOPPM = "pdftoppm"
PDFTOPPM_TIMEOUT = 20  # seconds
#: a runner that claimed a preview and died leaves it pending; after this long another runner takes it over
CLAIM_EXPIRES = datetime.timedelta(minutes=10)
RENDERED = {"application/pdf", "image/jpeg", "image/png"}


class DocumentPreview(models.Model):
    """The first-page preview of one version. Derived data, made again from the
    version at will: the row keeps no history of its own, and its status only
    moves forward (pending → ready, failed or unsupported)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        UNSUPPORTED = "unsupported", _("Not previewed")

    version = models.OneToOneField(DocumentVersion, verbose_name=_("document version"), on_delete=models.CASCADE,
                                   related_name="preview")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    blob_key = models.CharField(_("blob"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("document preview")
        verbose_name_plural = _("document previews")
        constraints = [
            models.CheckConstraint(condition=~Q(status="ready") | ~Q(blob_key=""),
                                   name="documents_preview_ready_has_blob"),
        ]
        indexes = [models.Index(fields=["blob_key"], name="documents_preview_blob")]  # disposal, the sweeper

    def __str__(self):
        return f"{self.version} ({self.status})"


class PreviewFailed(Exception):
    pass


# --- making previews -------------------------------------------------------------------------------------------------

def previews_make_pending(*, limit=50, now=None):
    """Make the previews of up to ``limit`` versions that have none yet (oldest
    first, documents not disposed of), and take over those a runner claimed and
    never finished. Safe to run in several processes at once: each preview is
    claimed by a conditional UPDATE, so it is rendered once. A file that cannot
    be rendered marks its preview failed; nothing here raises for one bad file.
    Returns a count per resulting status."""
    now = now or timezone.now()
    stale = now - CLAIM_EXPIRES
    waiting = (Q(preview__isnull=True)
               | Q(preview__status=DocumentPreview.Status.PENDING)
               & (Q(preview__claimed_at__isnull=True) | Q(preview__claimed_at__lt=stale)))
    versions = list(DocumentVersion.objects.filter(waiting, document__disposed_at__isnull=True)
                    .order_by("pk")[:limit])
    done = Counter()
    if not versions:
        return done
    DocumentPreview.objects.bulk_create([DocumentPreview(version=v, created_at=now, updated_at=now) for v in versions],
                                        ignore_conflicts=True)
    for version in versions:
        claimed = (DocumentPreview.objects.filter(version=version, status=DocumentPreview.Status.PENDING)
                   .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
                   .update(claimed_at=timezone.now()))
        if not claimed:
            continue  # another runner has it
        try:
            done[preview_make(version)] += 1
        except Exception:  # noqa: BLE001 - one preview must not stop the others; it is taken over later
            log.exception("The preview of document version %s could not be stored", version.pk)
    return done


def preview_make(version):
    """Render and store the preview of a version this runner has claimed; returns its status."""
    fields = {"blob_key": "", "sha256": "", "width": None, "height": None, "size": None, "error": ""}
    if version.mime_type not in RENDERED:
        fields["status"] = DocumentPreview.Status.UNSUPPORTED
    else:
        try:
            png, width, height = _render(version)
        except Exception as exc:  # noqa: BLE001 - a damaged or hostile file is a failed preview, whatever it raises
            log.warning("No preview of document version %s: %s", version.pk, _describe(exc))
            fields.update(status=DocumentPreview.Status.FAILED, error=_describe(exc)[:2000])
        else:
            fields.update(status=DocumentPreview.Status.READY, sha256=hashlib.sha256(png).hexdigest(), width=width,
                          height=height, size=len(png))
    with transaction.atomic():  # the blob in the transaction that names it (documents.blobs: the sweeper's claim)
        if fields["status"] == DocumentPreview.Status.READY:
            fields["blob_key"] = blob_put(ContentFile(png), sha256=fields["sha256"], size=len(png))
        DocumentPreview.objects.filter(version=version).update(**fields, claimed_at=None, updated_at=timezone.now())
    return fields["status"]


def _describe(exc):
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"pdftoppm took longer than {exc.timeout:g} s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _render(version):
    with tempfile.TemporaryDirectory(prefix="munis-preview-") as directory:
        source = os.path.join(directory, "source")
        with open(source, "wb") as handle:
            for chunk in blob_chunks(version.blob_key, sha256=version.sha256, size=version.size):
                handle.write(chunk)
        if version.mime_type == "application/pdf":
            page = _pdf_first_page(source, directory)
            return _png_of_image(page)
        return _png_of_image(source)


def _pdf_first_page(source, directory):
    """The first page as a PNG about WIDTH wide, by pdftoppm (no shell, a time limit)."""
    target = os.path.join(directory, "page")
    result = subprocess.run(
        [PDFTOPPM, "-png", "-f", "1", "-l", "1", "-singlefile", "-scale-to-x", str(WIDTH), "-scale-to-y", "-1",
         source, target],
        capture_output=True, timeout=PDFTOPPM_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    if result.returncode != 0 or not os.path.exists(target + ".png"):
        message = result.stderr.decode("utf-8", "replace").strip()[-500:]
        raise PreviewFailed(f"pdftoppm exited with {result.returncode}: {message}")
    return target + ".png"


def _png_of_image(path):
    """A PNG at most WIDTH × MAX_HEIGHT of the image at ``path``, upright per its EXIF orientation.
    Pillow's MAX_IMAGE_PIXELS stays the guard against decompression bombs (checked from the header,
    before any pixel is decoded)."""
    from PIL import Image, ImageOps

    with Image.open(path, formats=["PNG", "JPEG"]) as image:
        if image.width * image.height > Image.MAX_IMAGE_PIXELS:
            raise PreviewFailed(f"{image.width}×{image.height} pixels is more than a preview reads")
        image.draft("RGB", (WIDTH, MAX_HEIGHT))  # JPEG: decode at a reduced scale, much faster
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        image.thumbnail((WIDTH, MAX_HEIGHT))
        output = io.BytesIO()
        image.save(output, format="PNG", optimize=True)
        return output.getvalue(), image.width, image.height


# --- reading previews ------------------------------------------------------------------------------------------------

def preview_open(*, actor, version):
    """``(preview, verified PNG stream)`` for someone allowed to read the version, or
    None while it has no ready preview. A read of a confidential or secret-personal
    document's preview is audited like a read of the document."""
    from .services import check_readable, record_read  # services are loaded after the models

    check_readable(actor, version)
    preview = DocumentPreview.objects.filter(version=version, status=DocumentPreview.Status.READY).first()
    if preview is None:
        return None
    record_read(actor, version, action="documents.preview.read")
    return preview, blob_stream(preview.blob_key, sha256=preview.sha256, size=preview.size)


def preview_blobs_of(document_ids):
    """The preview blobs of these documents' versions: disposing of a document deletes them with its own."""
    return set(DocumentPreview.objects.filter(version__document_id__in=document_ids).exclude(blob_key="")
               .values_list("blob_key", flat=True))


def preview_blobs_kept(keys):
    """Those of ``keys`` a preview of a document that is kept still names."""
    return set(DocumentPreview.objects.filter(blob_key__in=keys, version__document__disposed_at__isnull=True)
               .values_list("blob_key", flat=True))

