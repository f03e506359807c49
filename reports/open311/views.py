"""The Open311 GeoReport v2 calls. Each answers in the format its address ends with (``.json`` / ``.xml``), in
the language asked (a ``locale`` parameter, else Accept-Language), and refuses with the spec's error list: 400 for
a missing or wrong parameter, 403 for a missing, unknown or revoked ``api_key``, 404 for an unknown id, 429 past
the rate limits (MUNIS_OPEN311_RATE_PER_CLIENT, MUNIS_OPEN311_RATE_PER_ADDRESS)."""

from contextlib import nullcontext
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from core.api_clients import api_client_of, api_client_or_ip, presented_key
from core.errors import DomainError, RateLimited, request_body_error
from core.security import log_refusal

from ..models import Report
from ..photos import checked_photo
from ..services import report_submit
from . import resources, selectors, wire
from .forms import RequestSearchForm, ServiceRequestForm, posted_answers

#: how a service's domain error names what an Open311 app sent
_PARAMETERS = {"location": "lat", "category": "service_code", "photo": "media"}
IDEMPOTENCY_HEADER = "Idempotency-Key"


def _parameter(request, name):
    value = request.GET.get(name)
    if value is None and request.method == "POST":
        value = request.POST.get(name)
    return (value or "").strip()


def _language_asked(request):
    """The language the ``locale`` parameter asks for, when the site speaks it (``ru``, ``ru_RU``, ``ru-RU``)."""
    locale = _parameter(request, "locale")
    if not locale:
        return None
    try:
        return translation.get_supported_language_variant(translation.to_language(locale))
    except LookupError:
        return None


def _jurisdiction_refused(request):
    ours, asked = settings.MUNIS_OPEN311_JURISDICTION, _parameter(request, "jurisdiction_id")
    if ours and asked and asked != ours:
        return _("This endpoint serves the jurisdiction %(ours)s, not %(asked)s.") % {"ours": ours,
                                                                                      "asked": asked[:100]}
    return None


def _descriptions(fields):
    return [f"{_PARAMETERS.get(name, name)}: {message}" if name != "__all__" else str(message)
            for name, messages in fields.items() for message in messages]


def _refused(request, fmt, status, descriptions, **kwargs):
    log_refusal(request, status=status)
    return wire.errors(fmt, status, descriptions, **kwargs)


def _domain_error(request, fmt, error):
    return _refused(request, fmt, error.status, _descriptions(error.fields) if error.fields else [error.message])


def open311_call(*methods):
    """An Open311 call answering ``methods`` (GET answers HEAD too): the format from the address, the language
    asked, the jurisdiction checked, every refusal as the spec's error list."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorate(view):
        @wraps(view)
        def call(request, *args, format, **kwargs):  # noqa: A002 - the format suffix, as routes name it
            if request.method not in allowed:
                return wire.errors(format, 405, [_("%(method)s is not allowed here.") % {"method": request.method}],
                                   headers={"Allow": ", ".join(sorted(allowed))})
            try:
                language = _language_asked(request)
            except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as refused:
                return _domain_error(request, format, request_body_error(refused))
            with translation.override(language) if language else nullcontext():
                try:
                    refused = _jurisdiction_refused(request)
                    if refused:
                        return _refused(request, format, 404, [refused])
                    response = view(request, *args, fmt=format, **kwargs)
                except DomainError as error:
                    response = _domain_error(request, format, error)
                except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as refused:
                    response = _domain_error(request, format, request_body_error(refused))
                response.headers["Content-Language"] = translation.get_language()
            return response

        return call

    return decorate


@open311_call("GET")
def discovery(request, fmt):
    here = request.build_absolute_uri(reverse("open311:discovery", kwargs={"format": fmt}))
    endpoint = here.rsplit("/", 1)[0] + "/"
    return wire.respond(fmt, "discovery", resources.discovery(endpoint_url=endpoint,
                                                              changeset=selectors.services_changed_at()))


@open311_call("GET")
def services(request, fmt):
    return wire.respond(fmt, "services", [resources.service(category) for category in selectors.services_listed()])


@open311_call("GET")
def service_definition(request, service_code, fmt):
    category = selectors.service_with_attributes(service_code)
    if category is None:
        return _refused(request, fmt, 404, [_("No service has the code “%(code)s”.") % {"code": service_code[:50]}])
    return wire.respond(fmt, "service_definition", resources.service_definition(category))


@csrf_exempt  # an outside application's call, authenticated by its api_key, not a browser's form
@open311_call("GET", "POST")
def service_requests(request, fmt):
    if request.method == "POST":
        return _file(request, fmt)
    form = RequestSearchForm(request.GET)
    if not form.is_valid():
        return _refused(request, fmt, 400, _descriptions(form.errors))
    found = selectors.requests_found(
        ids=form.cleaned_data["service_request_id"], service_codes=form.cleaned_data["service_code"],
        statuses=form.cleaned_data["status"], start=form.cleaned_data["start_date"],
        end=form.cleaned_data["end_date"])
    return wire.respond(fmt, "service_requests", _service_requests(request, found))


@open311_call("GET")
def service_request(request, service_request_id, fmt):
    report = selectors.public_request(service_request_id.strip().upper())
    if report is None:
        return _refused(request, fmt, 404, [_("No public request has the id “%(id)s”.")
                                            % {"id": service_request_id[:50]}])
    return wire.respond(fmt, "service_requests", _service_requests(request, [report]))


@open311_call("GET")
def service_request_token(request, token, fmt):
    report = selectors.request_by_token(token)
    if report is None:
        return _refused(request, fmt, 404, [_("No request has the token “%(token)s”.") % {"token": token[:50]}])
    return wire.respond(fmt, "service_requests", [{"service_request_id": report.reference,
                                                   "token": str(report.token)}])


def _service_requests(request, reports):
    photos = selectors.first_photos(reports)
    return [resources.service_request(report, media_url=resources.photo_url(request, report, photos[report.pk])
                                      if report.pk in photos else None) for report in reports]


def _over_limit(request):
    """Counts the post against its application's allowance and its address's; True when either is spent."""
    per_client = is_ratelimited(request, group="reports.open311.post", key=api_client_or_ip, method="POST",
                                rate=settings.MUNIS_OPEN311_RATE_PER_CLIENT, increment=True)
    per_address = is_ratelimited(request, group="reports.open311.post.address", key="ip", method="POST",
                                 rate=settings.MUNIS_OPEN311_RATE_PER_ADDRESS, increment=True)
    return per_client or per_address


def _external_id(request, client):
    """The application's own id of this post (an Idempotency-Key header), so a post it retries files one
    report; "" without one. Kept per application: two applications' keys never meet."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return ""
    if len(key) > 200 or not key.isascii() or not key.isprintable():
        raise DomainError(_("An Idempotency-Key is at most 200 printable ASCII characters."),
                          code="idempotency_key_invalid")
    return f"{client.pk}:{key}"


def _file(request, fmt):
    if _over_limit(request):
        return _domain_error(request, fmt, RateLimited())
    client = api_client_of(request)
    if client is None:
        missing = not presented_key(request)
        return _refused(request, fmt, 403, [
            _("api_key is missing: posting a request needs the key of a registered application.") if missing
            else _("api_key is not valid: it is unknown, or it was revoked or replaced.")])
    form = ServiceRequestForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, fmt, 400, _descriptions(form.errors))
    data = form.cleaned_data
    photos = [checked_photo(data["media"], field="media")] if data.get("media") else []
    report = report_submit(
        channel=Report.Channel.OPEN311, category=data["service_code"], description=data["description"],
        latitude=data["lat"], longitude=data["long"], address=data["address_string"],
        contact_name=form.contact_name, contact_email=data["email"], contact_phone=data["phone"],
        language=translation.get_language(), photos=photos, attributes=posted_answers(request.POST),
        media_url=data["media_url"], api_client=client.name, external_id=_external_id(request, client))
    page = request.build_absolute_uri(reverse("reports:report", args=[report.reference]))
    return wire.respond(fmt, "service_requests", [resources.request_filed(report, page_url=page)],
                        status=200 if report._existing else 201)
