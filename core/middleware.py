import uuid

from django.http import JsonResponse
from django.template.response import TemplateResponse

from .context import request_context
from .errors import DomainError


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request a correlation id (echoed as X-Request-ID) and makes
    it and the client IP available to audit rows."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        request.request_id = request_id
        with request_context(request_id=request_id, ip=_client_ip(request)):
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
        if request.path.startswith("/api/"):
            return JsonResponse(problem_body(exception), status=exception.status,
                                content_type="application/problem+json")
        return TemplateResponse(
            request, "error.html", {"error": exception}, status=exception.status
        ).render()


def problem_body(exception):
    body = {
        "type": f"https://munis.example/problems/{exception.code}",
        "title": str(exception.message),
        "status": exception.status,
        "code": exception.code,
    }
    if exception.fields:
        body["fields"] = {k: [str(m) for m in v] for k, v in exception.fields.items()}
    return body
