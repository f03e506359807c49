"""Small readings of a request that must never fail on what a client sent."""

from django.conf import settings

#: files a form post may carry at most, for the default limit of its whole body
FORM_FILES_AT_ONCE = 10


def declared_content_length(request):
    """The body length the client announced (0 when absent or not a number)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def form_body_limit():
    """The largest form post (multipart body) read at all: ``MUNIS_FORM_MAX_BYTES``, or by default
    room for ``FORM_FILES_AT_ONCE`` files of ``MUNIS_UPLOAD_MAX_BYTES`` and the fields around them."""
    return settings.MUNIS_FORM_MAX_BYTES or FORM_FILES_AT_ONCE * settings.MUNIS_UPLOAD_MAX_BYTES + 1024 * 1024


def keep_out_of_caches(response):
    """Marks a response that carries a case's document (a download, a preview, a decision) as never to be
    stored, by the browser (a shared computer at a library or a kiosk) or by any proxy on the way."""
    response["Cache-Control"] = "private, no-store"
    return response
