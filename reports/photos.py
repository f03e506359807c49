"""A photo of a problem, as the store keeps it: an image (checked like every upload), its location read for the
reporter to use, every metadata field (EXIF, GPS) stripped from what is stored and shown."""

from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from documents.services import GeneratedFile
from documents.uploads import check_upload

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def checked_photo(uploaded, *, field):
    """A CheckedUpload-like file of the photo with its metadata stripped; ValidationFailed (naming ``field``) for
    a file that is not a photo, too large, or unsafe."""
    from documents.images import photo_without_metadata

    checked = check_upload(uploaded, field=field)
    if checked.content_type not in IMAGE_TYPES:
        message = _("“%(name)s” is not a photo. Attach a JPEG, PNG or WebP picture.") % {"name": checked.name}
        raise ValidationFailed(message, code="not_a_photo", fields={field: [message]})
    uploaded.seek(0)
    content = photo_without_metadata(uploaded)
    return GeneratedFile.of(content, name=checked.name, content_type=checked.content_type)
