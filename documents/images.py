"""Photos people send (a pothole seen from a phone): where they were taken, and a copy without metadata.

A phone's photo tells more than its picture: where it was taken (to the metre), when, with which device,
sometimes who. ``photo_location`` reads the place, for the form to offer; ``photo_without_metadata`` makes
the copy that is kept and shown, with none of it: EXIF, XMP, ICC profiles and comments are left out, the
picture turned upright first (phones store it sideways and say so in the EXIF orientation). The copy is
encoded again, in the format the photo came in.

Only JPEG, PNG and WebP are read, judged by their first bytes (as documents.uploads judges every upload)
and only by Pillow's readers for those formats; a picture of more pixels than Pillow's limit
(``Image.MAX_IMAGE_PIXELS``, about 89 million) is refused before it is decoded: a small file can unpack to
gigabytes (a "decompression bomb").
"""

import io
import math
import warnings
from contextlib import contextmanager

import magic
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageCms, ImageOps, UnidentifiedImageError

from core.errors import ValidationFailed

from .uploads import HEAD_BYTES, clean_filename

# content type -> Pillow's format
PHOTO_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
JPEG_QUALITY = 88
WEBP_QUALITY = 85


def photo_location(file):
    """``(latitude, longitude)`` where the photo was taken, from its EXIF GPS tags, or None when it says
    nothing (no GPS tags, a camera without a fix writing 0,0, values out of range), or is no photo read here.
    Reads only the photo's metadata, never its pixels; never raises for what the file holds."""
    try:
        with _opened(file, field="photo") as (image, _kind):
            gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    except (ValidationFailed, OSError, ValueError, SyntaxError, KeyError, TypeError):  # metadata Pillow cannot follow
        return None
    latitude = _angle(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), negative="S")
    longitude = _angle(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), negative="W")
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    if latitude == 0 and longitude == 0:
        return None
    return round(latitude, 7), round(longitude, 7)


def photo_without_metadata(file, *, field="photo"):
    """The photo's bytes again, upright, in its own format (JPEG, PNG or WebP), without EXIF, XMP, ICC
    profile (its colours turned into sRGB first), text chunks or comments; of an animation, the first frame.
    Refuses, as a ``ValidationFailed`` on ``field`` (the form field it came in), a file larger than
    ``MUNIS_UPLOAD_MAX_BYTES``, one that is no JPEG, PNG or WebP image, one that is damaged, and one of
    more pixels than Pillow's limit."""
    with _opened(file, field=field) as (image, kind):
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright = _in_srgb(upright, image.info.get("icc_profile"))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            raise _refused("damaged", _("“%(name)s” is damaged or incomplete.") % {"name": _name(file)},
                           field) from None
    clean = upright.copy()
    # What the picture needs to look the same, nothing else (Pillow writes what .info holds: comments, ICC, ...)
    clean.info = {key: upright.info[key] for key in ("transparency",) if key in upright.info}
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif kind == "WEBP":
        clean.save(out, "WEBP", quality=WEBP_QUALITY)
    else:
        clean.save(out, "PNG", optimize=False)
    return out.getvalue()


@contextmanager
def _opened(file, *, field):
    """The file as a Pillow image and its format (``JPEG``, ``PNG``, ``WEBP``), once its size, its first bytes
    and its dimensions are found acceptable; the file is back at its start afterwards."""
    name = _name(file)
    try:
        size = _size(file)
        limit = settings.MUNIS_UPLOAD_MAX_BYTES
        if size > limit:
            raise _refused("too_large", _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.") % {
                "name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)}, field)
        file.seek(0)
        head = file.read(HEAD_BYTES)
        kind = PHOTO_FORMATS.get(magic.from_buffer(head, mime=True)) if head else None
        if kind is None:
            raise _refused("not_an_image", _("“%(name)s” is not a photo. Send a JPEG, PNG or WebP image.") % {
                "name": name}, field)
        file.seek(0)
        try:
            with warnings.catch_warnings():
                # Pillow only warns between its limit and twice it, then refuses: here both refuse
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(file, formats=[kind])
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _refused("too_many_pixels", _(
                "“%(name)s” has too many pixels to be processed safely (more than %(limit)s million). Send a "
                "smaller picture.") % {"name": name, "limit": Image.MAX_IMAGE_PIXELS // 1_000_000}, field) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise _refused("damaged", _("“%(name)s” is damaged or incomplete.") % {"name": name}, field) from None
        with image:
            yield image, kind
    finally:
        file.seek(0)


def _refused(code, message, field):
    return ValidationFailed(message, code=code, fields={field: [message]})


def _name(file):
    return clean_filename(getattr(file, "name", None) or _("photo"))


def _size(file):
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
        file.seek(0)
    return size


def _angle(value, ref, *, negative):
    """Degrees from EXIF's degrees, minutes and seconds (three rationals) and its N/S or E/W reference."""
    if not value or not ref:
        return None
    try:
        parts = [float(part) for part in value]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if len(parts) != 3 or not all(math.isfinite(part) for part in parts):
        return None
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    ref = ref.decode("ascii", "replace") if isinstance(ref, bytes) else str(ref)
    return -degrees if ref.strip().upper().startswith(negative) else degrees


def _in_srgb(image, icc_profile):
    """The picture in sRGB when it carries another colour profile (a phone's Display P3), so that it looks the
    same once the profile is left out; as it is when the profile cannot be read."""
    if not icc_profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
