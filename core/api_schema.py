"""The OpenAPI schema says every status an operation can answer, with its body.

drf-spectacular documents what a view returns on success; the errors come from
layers it does not see (authentication, CSRF, the body-size and length checks
of core.middleware, pagination, the problem handler of core.api). ``AutoSchema``
adds them to every operation from what the view declares (who may call it,
which method, whether it takes a path parameter or pages a list), each as an
RFC 7807 problem document, so an outside client or fuzzer finds no answer the
schema did not promise. A view's own ``extend_schema(responses=…)`` wins for a
status it documents itself.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemSerializer(serializers.Serializer):
    """An RFC 7807 problem document, as every error under /api/ is answered."""

    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField(help_text="What went wrong, in the client's language.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(required=False, help_text="A stable machine-readable code, e.g. not_found.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="For invalid input: the messages of each field.")

    class Meta:
        ref_name = "Problem"


ERRORS = {
    400: "The request is malformed or a field is invalid (``fields`` says which); also a body with too many "
         "fields or nested too deep.",
    403: "Not signed in, not allowed, or (for a write with a session) the CSRF token is missing.",
    404: "No such object for this caller, or no such page of a list.",
    411: "A body was sent without its Content-Length.",
    413: "The body is larger than the server accepts.",
    415: "The body's Content-Type is not one the operation reads.",
    429: "Too many requests: wait a minute and try again.",
}


class AutoSchema(SpectacularAutoSchema):
    def _error_statuses(self):
        allows_anyone = all(
            issubclass(permission, permissions.AllowAny) for permission in getattr(self.view, "permission_classes", []))
        writes = self.method.upper() in ("POST", "PUT", "PATCH", "DELETE")
        statuses = {400, 404, 429}
        if not allows_anyone or writes:
            statuses.add(403)
        if writes:
            statuses |= {411, 413, 415}
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for status in sorted(self._error_statuses()):
            if str(status) in responses:
                continue
            responses[str(status)] = self._get_response_for_code(
                OpenApiResponse(response=ProblemSerializer, description=ERRORS[status]), str(status),
                media_types=[PROBLEM_MEDIA_TYPE])
        return responses
