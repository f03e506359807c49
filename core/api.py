"""RFC 7807 problem responses for the REST API."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import DomainError
from .middleware import problem_body


def problem_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(problem_body(exc), status=exc.status, content_type="application/problem+json")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    body = {"type": "about:blank", "status": response.status_code, "code": code}
    if isinstance(exc, exceptions.ValidationError):
        body["title"] = str(exceptions.ValidationError.default_detail)
        body["fields"] = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
    else:
        body["title"] = str(getattr(exc, "detail", exc))
    response.data = body
    response.content_type = "application/problem+json"
    return response
