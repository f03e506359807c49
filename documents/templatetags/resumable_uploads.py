from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def resumable_upload_attrs():
    """Data attributes for a form whose big files static/js/resumable-upload.js sends
    in chunks: where to, from what size, the size limit and the messages it shows
    (translated here; the script fills in %(name)s and the like)."""
    limit = settings.MUNIS_UPLOAD_MAX_BYTES
    attributes = {
        "data-resumable-uploads": reverse("api-upload-list"),
        "data-resumable-threshold": settings.MUNIS_RESUMABLE_UPLOAD_THRESHOLD,
        "data-upload-max": limit,
        "data-msg-uploading": _("Uploading “%(name)s”…"),
        "data-msg-retrying": _("The connection was interrupted; trying again…"),
        "data-msg-uploaded": _("“%(name)s” is uploaded."),
        "data-msg-stopped": _("The upload of “%(name)s” stopped. Check your connection and send the form again: "
                              "it will continue where it stopped."),
        "data-msg-refused": _("“%(name)s” could not be uploaded: %(reason)s"),
        "data-msg-too-large": _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.").replace(
            "%(limit)s", str(filesizeformat(limit))),
    }
    return format_html_join(" ", '{}="{}"', attributes.items())
