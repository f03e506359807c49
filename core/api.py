"""RFC 7807 problem responses for the REST API (the shape: core.problems)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, pagination
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


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's pages, except that a ``page`` that is given must be a page number: an empty or
    non-numeric value is refused (404, as for a page past the end) instead of read as page 1."""

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is not None and not (value.isdigit() or value in self.last_page_strings):
            raise exceptions.NotFound(self.invalid_page_message.format(page_number=value, message=""))
        return super().get_page_number(request, paginator)
