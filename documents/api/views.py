import re

from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from core.errors import NotFound, RateLimited, ValidationFailed
from core.http import declared_content_length
from core.problems import problem_body

from .. import resumable
from .serializers import UploadSessionSerializer, UploadStartSerializer

START_RATE = "10/m"
CONTENT_RANGE = re.compile(r"^bytes (\d{1,15})-(\d{1,15})/(\d{1,15})$")

PROBLEM = "An RFC 7807 problem (application/problem+json) with a stable ``code``."
SESSION_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH,
                              description="The upload session's id, as its start answered.")


def _content_range(request):
    match = CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
    if match is None:
        raise ValidationFailed(fields={"Content-Range": [
            _("Send each chunk with a Content-Range header of the form “bytes <first>-<last>/<total>”.")]})
    return tuple(int(number) for number in match.groups())


@extend_schema_view(
    create=extend_schema(
        tags=["uploads"],
        summary="Start a resumable upload",
        request=UploadStartSerializer,
        responses={201: UploadSessionSerializer,
                   400: OpenApiResponse(description=PROBLEM + " A field is missing or invalid."),
                   413: OpenApiResponse(description=PROBLEM + " The file is over MUNIS_RESUMABLE_UPLOAD_MAX_BYTES."),
                   429: OpenApiResponse(description=PROBLEM + " Too many uploads started, or in progress.")}),
    retrieve=extend_schema(
        tags=["uploads"],
        summary="Where an upload stands",
        description="Ask after a dropped connection or a reload: the next chunk starts at ``offset``.",
        parameters=[SESSION_ID],
        responses={200: UploadSessionSerializer, 404: OpenApiResponse(description=PROBLEM)}),
    update=extend_schema(
        tags=["uploads"],
        summary="Send the next chunk",
        description=(
            "The request body is the chunk's bytes (at most ``chunk_size``); ``Content-Range: bytes "
            "<first>-<last>/<total>`` says where they belong. A chunk that starts at ``offset`` is stored and the "
            "answer carries the new offset; a chunk stored already (a retry) is answered with the current offset "
            "and changes nothing; any other start is refused with 409, whose problem carries ``offset``."),
        request={"application/octet-stream": OpenApiTypes.BINARY},
        parameters=[SESSION_ID, OpenApiParameter("Content-Range", str, OpenApiParameter.HEADER, required=True,
                                     description="bytes <first>-<last>/<total>, e.g. bytes 0-8388607/20971520")],
        responses={200: UploadSessionSerializer,
                   400: OpenApiResponse(description=PROBLEM + " A malformed Content-Range, or a body of another "
                                                              "length."),
                   404: OpenApiResponse(description=PROBLEM),
                   409: OpenApiResponse(description=PROBLEM + " The chunk does not start at the upload's offset; "
                                                              "the problem's ``offset`` says where it does."),
                   410: OpenApiResponse(description=PROBLEM + " The upload has expired."),
                   413: OpenApiResponse(description=PROBLEM + " The chunk is over ``chunk_size``.")}),
    destroy=extend_schema(
        tags=["uploads"],
        summary="Cancel an upload",
        parameters=[SESSION_ID],
        responses={204: None, 404: OpenApiResponse(description=PROBLEM)}),
)
class UploadSessionViewSet(viewsets.ViewSet):
    """Resumable uploads of big files, for signed-in people: start a session,
    send the file in chunks (resuming from the offset after a dropped
    connection), then send the session's id with a form in place of the file
    (e.g. ``doc_site_plan_upload`` on the building-permit form). A session is
    seen only by the person who started it; it expires a day after its last chunk."""

    def create(self, request):
        if is_ratelimited(request, group="documents.upload_start", key="user", rate=START_RATE, method="POST",
                          increment=True):
            raise RateLimited()
        serializer = UploadStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = resumable.upload_session_start(actor=request.user, **serializer.validated_data)
        return Response(UploadSessionSerializer(session).data, status=status.HTTP_201_CREATED,
                        headers={"Location": f"{request.path}{session.pk}/"})

    def retrieve(self, request, pk=None):
        return Response(UploadSessionSerializer(self._session(request, pk)).data)

    def update(self, request, pk=None):
        session = self._session(request, pk)
        start, end, total = _content_range(request)
        try:
            session = resumable.upload_session_append(
                actor=request.user, session=session, start=start, end=end, total=total, body=request.stream,
                length=declared_content_length(request))
        except resumable.ChunkOutOfOrder as refused:
            return Response({**problem_body(refused), "offset": refused.offset}, status=refused.status,
                            content_type="application/problem+json")
        return Response(UploadSessionSerializer(session).data)

    def destroy(self, request, pk=None):
        resumable.upload_session_cancel(actor=request.user, session=self._session(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @staticmethod
    def _session(request, pk):
        session = resumable.upload_session_of(user=request.user, pk=pk)
        if session is None:
            raise NotFound()
        return session
