"""A photo of a problem, as the store keeps it: an image (checked like every upload), its location read for the
reporter to use, every metadata field (EXIF, GPS) stripped from what is stored and shown."""

from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from documents.services import GeneratedFile
from documents.uploads import check_upload, clean_filename

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
#: the upload checks' refusals of a file that is no accepted type at all
NOT_ACCEPTED = ("type_not_allowed", "executable")


def checked_photo(uploaded, *, field):
    """A CheckedUpload-like file of the photo with its metadata stripped; ValidationFailed (naming ``field``) for
    a file that is not a photo, too large, or unsafe."""
    from documents.images import photo_without_metadata

    try:
        checked = check_upload(uploaded, field=field)
    except ValidationFailed as exc:
        if exc.code not in NOT_ACCEPTED:
            raise
        checked = None  # the store's message names the documents it takes; a photo's field says what it takes
    if checked is None or checked.content_type not in IMAGE_TYPES:
        name = checked.name if checked else clean_filename(uploaded.name or "")
        message = _("“%(name)s” is not a photo. Attach a JPEG, PNG or WebP picture.") % {"name": name}
        raise ValidationFailed(message, code="not_a_photo", fields={field: [message]})
    uploaded.seek(0)
    content = photo_without_metadata(uploaded)
    return GeneratedFile.of(content, name=checked.name, content_type=checked.content_type)


def kept_photo(*, actor, session_id, field):
    """A photo kept from an earlier post of the form (an upload session of ``actor``), checked again like a new
    one; storing it ends the session (documents.resumable.upload_session_used)."""
    from documents.resumable import upload_session_file

    upload = upload_session_file(actor=actor, session_id=session_id, field=field)
    try:
        photo = checked_photo(upload, field=field)
    finally:
        upload.close()
    photo.file.upload_session_id, photo.file.upload_field = upload.upload_session_id, field
    return photo
