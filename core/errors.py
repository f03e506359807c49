"""Domain errors with stable codes.

Services raise these; one handler turns them into a form error / flash message
in HTML and an RFC 7807 problem document in the API.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule said no. ``code`` is stable; ``message`` is for people."""

    code = "domain_error"
    status = 400
    default_message = _("The request could not be processed.")

    def __init__(self, message=None, *, code=None, fields=None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))


class ValidationFailed(DomainError):
    code = "invalid"
    status = 400
    default_message = _("Some fields are not valid.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do that.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class InvalidTransition(DomainError):
    """The object is not in a state where this action makes sense."""

    code = "invalid_transition"
    status = 409
    default_message = _("This action is not possible in the current state.")


class LengthRequired(DomainError):
    """A post sent in chunks, without its length (core.middleware): Django reads no body without one."""

    code = "length_required"
    status = 411
    default_message = _("Send the form with its length (a Content-Length header): a body sent in chunks without "
                        "one is not read, so nothing of it would arrive.")


class RequestTooLarge(DomainError):
    """A form post announced a body over ``MUNIS_FORM_MAX_BYTES`` (core.middleware)."""

    code = "request_too_large"
    status = 413
    default_message = _("What was sent is too large.")


class NullCharacter(DomainError):
    """A NUL byte in a request's address or query (core.middleware): no page takes one, and PostgreSQL
    refuses it in any text it is asked to compare."""

    code = "null_character"
    status = 400
    default_message = _("The address contains a null character (%00), which no page accepts. Please check the link.")


class RateLimited(DomainError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests. Please wait a minute and try again.")


class TooManyFields(DomainError):
    """A body with more fields or files than Django reads (``DATA_UPLOAD_MAX_NUMBER_FIELDS`` / ``_FILES``)."""

    code = "too_many_fields"
    status = 400
    default_message = _("What was sent has too many fields or files.")


def request_body_error(exception):
    """The domain error for Django's refusal to read a request body, or None for any other exception.

    Django raises these (as SuspiciousOperation) wherever the body is first read: the CSRF check, a form,
    DRF's parsers; they answer 413 and 400 with a message, a problem document under /api/."""
    if isinstance(exception, RequestDataTooBig):
        return RequestTooLarge(gettext("What was sent is larger than the %(limit)s read at once (files excepted).")
                               % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})
    if isinstance(exception, TooManyFieldsSent):
        return TooManyFields(gettext("What was sent has more than %(limit)d fields.")
                             % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS})
    if isinstance(exception, TooManyFilesSent):
        return TooManyFields(gettext("What was sent has more than %(limit)d files.")
                             % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES})
    return None
