"""The pages every case gets from the kernel: a version of one of its documents, and that version's
first-page preview.

An e-service mounts them in its urls.py with one line, ``*case_document_urls(Petition, prefix="petitions/")``,
and declares them in its ``access`` (``"document"`` and ``"document_preview"``, usually ``CaseReaders``). Who
reads them is the case's ``can_read`` (``workflows.cases.register_case``): a case the user may not read answers
404, exactly as one that does not exist, so its existence is not revealed.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, StreamingHttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from core.http import keep_out_of_caches
from documents.previews import preview_open
from documents.selectors import version_of_case
from documents.services import version_open

from .cases import case_type_of


def streamed_response(stream, *, content_type, size, filename=None):
    """A response carrying a case's file (a document, a preview, a decision): its length stated, kept out of
    every cache, and offered as ``filename`` to save when one is given."""
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Length"] = str(size)
    if filename:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return keep_out_of_caches(response)


def case_readable_or_404(model, *, user, pk):
    """The case ``pk`` of ``model`` if ``user`` may read it; else 404, as if there were none."""
    case = model._default_manager.filter(pk=pk).first()
    if case is None or not case_type_of(model).can_read(user, case):
        raise Http404
    return case


def _version_or_404(request, model, pk, version_pk):
    case = case_readable_or_404(model, user=request.user, pk=pk)
    version = version_of_case(case, version_pk)
    if version is None:
        raise Http404
    return version


@login_required
@require_GET
def document_download(request, pk, version_pk, *, case_model):
    """A version of one of the case's documents, streamed as stored (and checked against its hash)."""
    version = _version_or_404(request, case_model, pk, version_pk)
    return streamed_response(version_open(actor=request.user, version=version), content_type=version.mime_type,
                             size=version.size, filename=version.original_name)


@login_required
@require_GET
def document_preview(request, pk, version_pk, *, case_model):
    """The first-page PNG of a version of one of the case's documents, once the background has made it."""
    version = _version_or_404(request, case_model, pk, version_pk)
    opened = preview_open(actor=request.user, version=version)
    if opened is None:
        raise Http404
    preview, stream = opened
    return streamed_response(stream, content_type="image/png", size=preview.size)


def case_document_urls(model, *, prefix=""):
    """The URL patterns of a case's document pages, for its app's urls.py: ``<prefix><pk>/documents/
    <version_pk>/`` (named ``document``) and its ``preview.png`` (``document_preview``)."""
    if case_type_of(model) is None:
        raise ImproperlyConfigured(f"{model._meta.label} is not a case: call workflows.cases.register_case for it "
                                   f"in its app's ready() before mounting its document pages.")
    document = f"{prefix}<int:pk>/documents/<int:version_pk>/"
    return [
        path(document, document_download, {"case_model": model}, name="document"),
        path(f"{document}preview.png", document_preview, {"case_model": model}, name="document_preview"),
    ]
