"""RFC 7807 problem responses for the REST API (the shape: core.problems)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .errors import DomainError, request_body_error
from .problems import PROBLEM_CONTENT_TYPE, problem_body, problem_document
from .security import log_refusal


def problem_exception_handler(exc, context):
    request = context.get("request")
    domain_error = exc if isinstance(exc, DomainError) else request_body_error(exc)
    if domain_error is not None:
        if request is not None:
            log_refusal(request, status=domain_error.status, exception=exc)
        return Response(problem_body(domain_error), status=domain_error.status, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if request is not None and not isinstance(exc, exceptions.NotAuthenticated):
        log_refusal(request, status=response.status_code, exception=exc)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        body = problem_document(status=response.status_code, code=code,
                                title=exceptions.ValidationError.default_detail, fields=fields)
    else:
        body = problem_document(status=response.status_code, code=code, title=getattr(exc, "detail", exc))
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response
