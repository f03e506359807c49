"""The public verify page: ``/verify/<code>/`` confirms a PDF the municipality issued.

No login. It shows what the document is, to whom it was issued (masked), when,
the SHA-256 of the issued bytes, whether it still stands or was revoked, and
what pyHanko finds of the signature in the stored bytes. Anyone may upload a
PDF to learn whether it is byte for byte the one issued under the code; the
upload is hashed as it arrives and never kept. Every request counts against a
per-address rate limit, so codes cannot be found by trying.
"""

import functools

from django.conf import settings
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit import ALL
from django_ratelimit.decorators import ratelimit

from core.branding import municipality_name
from core.http import declared_content_length
from core.views import rate_limited

from .blobs import blob_read
from .codes import format_code, normalize_code
from .selectors import issued_document_by_code
from .signing import signature_report
from .uploads import size_limit
from .verification import DigestUploadHandler, mask_name

UPLOAD_FIELD = "pdf"
#: what a multipart body may carry besides the file itself (boundaries, headers, the CSRF token)
FORM_OVERHEAD = 64 * 1024


def _rate(group, request):
    return settings.MUNIS_VERIFY_RATE


def _limited(view):
    """django-ratelimit counting every request per client address; over the rate, a 429 page
    (``block=True`` would raise, which without its middleware shows as a 403)."""
    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        if getattr(request, "limited", False):
            return rate_limited(request, None)
        return view(request, *args, **kwargs)

    return ratelimit(key="ip", rate=_rate, method=ALL, block=False)(limited)


@require_GET
@_limited
def lookup(request):
    """``/verify/``: type the code printed on the document."""
    typed = request.GET.get("code", "")
    if not typed:
        return render(request, "documents/verify_lookup.html")
    code = normalize_code(typed)
    if code is None:
        return render(request, "documents/verify_lookup.html", {
            "typed": typed[:40], "error": _("A verification code has ten letters and digits, like K7QM-3XPA-9R.")},
            status=400)
    return redirect("documents:verify", code=format_code(code))


@csrf_exempt  # checked in _compare, once the upload handler is in place (Django's documented pattern)
@never_cache
@require_http_methods(["GET", "POST"])
@_limited
def verify(request, code):
    normalized = normalize_code(code)
    issued = issued_document_by_code(normalized) if normalized else None
    if issued is None:
        return render(request, "documents/verify_unknown.html", {"code": code[:40]}, status=404)
    if request.method == "GET" and code != issued.display_code:
        return redirect("documents:verify", code=issued.display_code)
    if request.method == "POST":
        content_length = declared_content_length(request)
        if content_length > settings.MUNIS_UPLOAD_MAX_BYTES + FORM_OVERHEAD:
            # Refused unread. No "Connection: close" here: it is the server's header (hop-by-hop), which
            # WSGI forbids an application to send (the development server answered it with a 500).
            return _page(request, issued, upload_error=_too_large(), status=413)
        handler = DigestUploadHandler(request, field=UPLOAD_FIELD, limit=settings.MUNIS_UPLOAD_MAX_BYTES)
        request.upload_handlers = [handler]
        return _compare(request, issued, handler)
    return _page(request, issued)


@csrf_protect
def _compare(request, issued, handler):
    request.POST  # noqa: B018 - parses the body through the handler
    upload = handler.result
    if upload is None or (upload.size == 0 and not upload.too_large):
        error = _("Choose the PDF file to compare.") if upload is None else _("“%(name)s” is empty.") % {
            "name": upload.name}
        return _page(request, issued, upload_error=error, status=400)
    if upload.too_large:
        return _page(request, issued, upload_error=_too_large(upload.name), status=400)
    if not upload.is_pdf:
        return _page(request, issued, upload_error=_("“%(name)s” is not a PDF file.") % {"name": upload.name},
                     status=400)
    version = issued.version
    matches = upload.sha256 == version.sha256 and upload.size == version.size
    return _page(request, issued, comparison={"matches": matches, "name": upload.name, "sha256": upload.sha256,
                                              "size": upload.size})


def _too_large(name=""):
    limit = filesizeformat(settings.MUNIS_UPLOAD_MAX_BYTES)
    if name:
        return _("“%(name)s” is larger than %(limit)s, so it is not a document issued here.") % {
            "name": name, "limit": limit}
    return _("The file is larger than %(limit)s, so it is not a document issued here.") % {"limit": limit}


def _page(request, issued, *, comparison=None, upload_error=None, status=200):
    version = issued.version
    report = signature_report(blob_read(version.blob_key, sha256=version.sha256, size=version.size))
    return render(request, "documents/verify.html", {
        "issued": issued, "version": version, "document": version.document,
        "issued_to": mask_name(issued.issued_to), "report": report, "comparison": comparison,
        "upload_error": upload_error, "upload_field": UPLOAD_FIELD, "municipality": municipality_name(),
        "max_size": size_limit(),
    }, status=status)
