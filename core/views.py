from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from . import branding, plugins
from .errors import NotFound, PermissionDenied, RateLimited, ValidationFailed, request_body_error
from .middleware import domain_error_response
from .problems import PROBLEM_CONTENT_TYPE, is_api_request, problem_document, problem_response
from .security import log_refusal


def home(request):
    """The home page: the sections installed apps contribute (core.plugins), each
    rendered with its own context."""
    sections = [render_to_string(section.template, section.context(request), request=request)
                for section in plugins.visible_home_sections(request.user)]
    return render(request, "home.html", {"sections": sections})


FAVICON = Path(__file__).resolve().parent / "static" / "core" / "favicon.ico"


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request):
    """Browsers ask every site for /favicon.ico whatever the page says; answered here rather than by a
    redirect into the static files, so it is one request and never a 404."""
    return HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")


@require_GET
@cache_control(public=True, max_age=3600)
def theme_stylesheet(request):
    """The municipality's colours for the design system (core.branding), a stylesheet of our own origin."""
    return HttpResponse(branding.theme_css(), content_type="text/css; charset=utf-8")


@require_GET
def switch_language(request, code):
    """The header's language links: remember the language (Django's language cookie) and go back to the
    page. A link, not a form, so it works on every page and without JavaScript; it changes nothing but
    the visitor's own cookie."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("home")
    response = HttpResponseRedirect(back)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        default_storage.exists("readyz-probe")
        checks["storage"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["storage"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("readyz-probe", "1", 5)
        checks["cache"] = "ok" if cache.get("readyz-probe") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["cache"] = f"error: {exc.__class__.__name__}"
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _broker_check()
    if _documents_on_s3():
        checks["documents"] = _documents_bucket_check()
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def _broker_check():
    from config.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def _documents_on_s3():
    from storages.backends.s3 import S3Storage

    backend = settings.STORAGES.get("documents", {}).get("BACKEND")
    return bool(backend) and issubclass(import_string(backend), S3Storage)


_bucket_probe = {}  # the storage probed last -> its probe client


def _documents_bucket_check():
    """HEAD the documents bucket: reachable, and our keys may use it. A client of its
    own with short timeouts and no retries, so an unreachable store answers fast."""
    from botocore.config import Config

    try:
        storage = storages["documents"]
        probe = _bucket_probe.get(storage)
        if probe is None:
            config = storage.client_config.merge(
                Config(connect_timeout=2, read_timeout=3, retries={"mode": "standard", "max_attempts": 1})
            )
            probe = storage._create_session().client(  # the storage's own credentials lookup
                "s3", region_name=storage.region_name, endpoint_url=storage.endpoint_url,
                use_ssl=storage.use_ssl, verify=storage.verify, config=config,
            )
            _bucket_probe.clear()
            _bucket_probe[storage] = probe
        probe.head_bucket(Bucket=storage.bucket_name)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def rate_limited(request, exception):
    return domain_error_response(request, RateLimited())


# Django's error handlers (config.urls): a problem document under /api/, the usual pages elsewhere.

def bad_request(request, exception, template_name="400.html"):
    refused = request_body_error(exception)
    if is_api_request(request):
        return problem_response(refused or ValidationFailed(_("The request could not be read."), code="bad_request"))
    if refused is not None:
        return domain_error_response(request, refused)
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name="403.html"):
    log_refusal(request, status=403, exception=exception)
    if is_api_request(request):
        return problem_response(PermissionDenied())
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name="404.html"):
    log_refusal(request, status=404, exception=exception)
    if is_api_request(request):
        return problem_response(NotFound())
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    if is_api_request(request):
        body = problem_document(status=500, code="server_error",
                                title=_("Something went wrong on our side. The error has been logged."))
        return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
    return defaults.server_error(request, template_name)
