"""What Munis's objects are in Open311's words: a category is a service (its questions the service definition's
attributes), a public report is a service request. Field names and order are the spec's; text is in the language
of the request. A request never carries who reported it (name, e-mail, phone, account)."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import CLOSED_STATUSES

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["text/xml", "application/json"]


def w3c(moment):
    """A datetime as the spec writes it: ISO 8601 to the second, with the city's offset."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment is not None else None


def discovery(*, endpoint_url, changeset):
    return {
        "changeset": w3c(changeset),
        "contact": settings.MUNIS_OPEN311_CONTACT or settings.SITE_URL,
        "key_service": settings.MUNIS_OPEN311_KEY_SERVICE or _(
            "Ask the municipality for an API key: it registers your application and gives you its key once."),
        "endpoints": [{
            "specification": SPECIFICATION, "url": endpoint_url, "changeset": w3c(changeset), "type": "production",
            "formats": FORMATS,
        }],
    }


def _keywords(category):
    return ", ".join(word.strip() for word in (category.keywords or "").split(",") if word.strip())


def service(category):
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.has_attributes),
        "type": "realtime",
        "keywords": _keywords(category),
        "group": (category.parent or category).name,
    }


def service_definition(category):
    return {
        "service_code": category.code,
        "attributes": [{
            "variable": True,
            "code": question.code,
            "datatype": question.datatype,
            "required": question.required,
            "datatype_description": None,
            "order": question.order,
            "description": question.description,
            "values": [{"key": value.get("key"), "name": value.get("name")} for value in question.values or []],
        } for question in category.attributes.all()],
    }


def request_filed(report, *, page_url):
    """The answer to a posted request: its id at once (reports are numbered as they arrive) and its token."""
    if report.is_public:
        notice = _("Thank you: report %(reference)s is received. Follow it at %(link)s") % {
            "reference": report.reference, "link": page_url}
    else:
        notice = _("Thank you: report %(reference)s is received. It is shown in public once it has been checked.") % {
            "reference": report.reference}
    return {"service_request_id": report.reference, "token": str(report.token), "service_notice": notice,
            "account_id": None}


def service_request(report, *, media_url):
    """A public report (from selectors.requests_found) as a service request."""
    return {
        "service_request_id": report.reference,
        "status": "closed" if report.status in CLOSED_STATUSES else "open",
        "status_notes": report.public_note or None,
        "service_name": report.category.name if report.category_id else None,
        "service_code": report.category.code if report.category_id else None,
        "description": report.description,
        "agency_responsible": report.supplier.name if report.supplier_id else None,
        "service_notice": str(report.status_label),
        "requested_datetime": w3c(report.created_at),
        "updated_datetime": w3c(report.updated_at or report.created_at),
        "expected_datetime": w3c(report.expected_at),
        "address": report.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": report.latitude,
        "long": report.longitude,
        "media_url": media_url or report.media_url or None,
    }


def photo_url(request, report, version):
    return request.build_absolute_uri(reverse("reports:photo", args=[report.reference, version.pk]))
