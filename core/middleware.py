import logging
import uuid

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .context import request_context
from .errors import DomainError, LengthRequired, NullCharacter, RequestTooLarge
from .http import declared_content_length, form_body_limit
from .problems import is_api_request, problem_response
from .security import log_refusal

request_logger = logging.getLogger("munis.request")


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request our own correlation id (echoed as X-Request-ID) and makes it and the
    client IP available to audit rows and log records.

    An X-Request-ID the client sent is never used as the id (anyone could send one to blur the audit
    trail); it is kept beside ours on the log records (core.request_logging) and logged on ``munis.request``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = uuid.uuid4().hex
        incoming = request.headers.get("X-Request-ID", "")
        client_request_id = incoming if len(incoming) <= 64 and incoming.isprintable() else ""
        request.request_id, request.client_request_id = request_id, client_request_id
        with request_context(request_id=request_id, ip=_client_ip(request), client_request_id=client_request_id):
            if client_request_id:
                request_logger.info("Request %s carries the client's X-Request-ID %r", request_id, client_request_id)
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class DomainErrorMiddleware:
    """One place that turns a domain error escaping an HTML view into a
    translated message and a 4xx (API views use core.api's handler)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return domain_error_response(request, exception)


def domain_error_response(request, exception):
    """A domain error as the client reads it: a problem document under /api/, else the error page."""
    log_refusal(request, status=exception.status, exception=exception)
    if is_api_request(request):
        return problem_response(exception)
    return TemplateResponse(request, "error.html", {"error": exception}, status=exception.status).render()


class NullCharacterMiddleware:
    """Refuses a request whose path or query carries a NUL byte (``%00``) with a 400 before any view
    reads it: nothing legitimate sends one, and a query naming it fails on PostgreSQL (a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or _query_has_null(request):
            return domain_error_response(request, NullCharacter())
        return self.get_response(request)


def _query_has_null(request):
    query = request.META.get("QUERY_STRING", "")
    return ("%00" in query or "\x00" in query) and any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class FormBodyLimitMiddleware:
    """Refuses a form post (multipart) whose announced length is over ``core.http.form_body_limit()``
    with a 413, before a byte of its body is read: each file's own limit is checked once the body
    has been received (documents.uploads), and a client must not make the server receive gigabytes
    first. Big files go through resumable uploads (documents.resumable), which the forms' script
    uses on its own.

    A post sent in chunks without its length (``Transfer-Encoding: chunked``, no ``Content-Length``) is
    answered 411: Django reads no body without a length, so the form would arrive empty and fail for
    the wrong reason. (A proxy that buffers the body, as nginx does, forwards it with its length.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("POST", "PUT", "PATCH"):
            return self.get_response(request)
        if _sent_in_chunks(request):
            return domain_error_response(request, LengthRequired())
        if request.content_type == "multipart/form-data":
            size, limit = declared_content_length(request), form_body_limit()
            if size > limit:
                message = _("What you sent is %(size)s, more than the %(limit)s a form takes at once. "
                            "Please send smaller files (at most %(file_limit)s each), or attach big files "
                            "one by one on the form's page.") % {
                    "size": filesizeformat(size), "limit": filesizeformat(limit),
                    "file_limit": filesizeformat(settings.MUNIS_UPLOAD_MAX_BYTES)}
                return domain_error_response(request, RequestTooLarge(message))
        return self.get_response(request)


def _sent_in_chunks(request):
    return not request.META.get("CONTENT_LENGTH") and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
