"""RFC 7807 problem documents: the one shape every error under ``/api/`` takes.

A problem's ``type`` is ``PROBLEM_TYPE_BASE`` followed by its stable ``code``, whoever raised it (a
domain error, DRF, or Django itself before any view ran), so a client can switch on either."""

from django.http import JsonResponse

PROBLEM_TYPE_BASE = "https://munis.example/problems/"
PROBLEM_CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def is_api_request(request):
    return request.path_info.startswith(API_PREFIX)


def problem_document(*, status, code, title, fields=None):
    body = {"type": f"{PROBLEM_TYPE_BASE}{code}", "title": str(title), "status": status, "code": code}
    if fields:
        body["fields"] = fields
    return body


def problem_body(exception):
    """A domain error (core.errors) as a problem document."""
    fields = {k: [str(m) for m in v] for k, v in exception.fields.items()} if exception.fields else None
    return problem_document(status=exception.status, code=exception.code, title=exception.message, fields=fields)


def problem_response(exception):
    return JsonResponse(problem_body(exception), status=exception.status, content_type=PROBLEM_CONTENT_TYPE)
