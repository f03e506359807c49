"""The parameters of Open311 calls, read and checked: a posted service request (what the report service does not
check itself: which service, where, how to reach the reporter) and the filters of a search of requests."""

import re

from django import forms
from django.utils.translation import gettext as _

from ..attributes import parse_w3c_datetime
from ..models import Category
from .selectors import DEFAULT_SPAN, MAX_REQUESTS

_ANSWER = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
STATUSES = ("open", "closed")


def _text(max_length, **kwargs):
    return forms.CharField(required=False, max_length=max_length, **kwargs)


class ServiceRequestForm(forms.Form):
    """GeoReport v2 ``POST requests``: the service, where (``lat`` and ``long``, or ``address_string``), who (all
    optional) and what (``description``, checked by reports.services like every channel's)."""

    service_code = forms.CharField(max_length=50)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = _text(255)
    address_id = _text(255)
    email = forms.EmailField(required=False, max_length=254)
    device_id = _text(255)
    account_id = _text(255)
    first_name = _text(100)
    last_name = _text(100)
    phone = _text(32)
    description = forms.CharField(required=False, strip=False)
    media_url = forms.CharField(required=False, strip=True)
    media = forms.FileField(required=False)

    def clean_service_code(self):
        code = self.cleaned_data["service_code"].strip()
        category = Category.objects.filter(code=code, active=True).first()
        if category is None:
            raise forms.ValidationError(_("No service has the code “%(code)s”: the services are listed at "
                                          "services.json.") % {"code": code[:50]})
        return category

    def clean(self):
        data = super().clean()
        lat, long = data.get("lat"), data.get("long")
        if "lat" in self.errors or "long" in self.errors:
            return data
        if (lat is None) != (long is None):
            self.add_error("long" if long is None else "lat", _("Give both lat and long, or neither."))
        elif lat is None and not data.get("address_string", "").strip():
            if data.get("address_id"):
                self.add_error("address_id", _("This city keeps no address registry: give lat and long, or "
                                               "address_string."))
            else:
                self.add_error("lat", _("Say where the problem is: give lat and long, or address_string."))
        return data

    @property
    def contact_name(self):
        return " ".join(part.strip() for part in (self.cleaned_data.get("first_name", ""),
                                                  self.cleaned_data.get("last_name", "")) if part.strip())


def posted_answers(data):
    """``{code: answer}`` from ``attribute[CODE]=…`` (a list for ``attribute[CODE][]=…``, or when repeated)."""
    answers = {}
    for key in data:
        match = _ANSWER.match(key)
        if match is None:
            continue
        values = answers.setdefault(match.group(1), [])
        values += data.getlist(key)
    return {code: values[0] if len(values) == 1 else values for code, values in answers.items()}


def _listed(text, *, upper=False):
    items = [item.strip() for item in (text or "").split(",") if item.strip()]
    return [item.upper() for item in items] if upper else items


class RequestSearchForm(forms.Form):
    """GeoReport v2 ``GET requests``: ids (comma-separated, overruling the rest), service codes and statuses
    (comma-separated), and a span of W3C date-times of at most 90 days."""

    service_request_id = _text(20_000)
    service_code = _text(5_000)
    status = _text(50)
    start_date = _text(50)
    end_date = _text(50)

    def clean_service_request_id(self):
        ids = _listed(self.cleaned_data["service_request_id"], upper=True)
        if len(ids) > MAX_REQUESTS:
            raise forms.ValidationError(_("Ask for at most %(limit)d requests at once.") % {"limit": MAX_REQUESTS})
        return ids

    def clean_service_code(self):
        return _listed(self.cleaned_data["service_code"])

    def clean_status(self):
        statuses = [status.lower() for status in _listed(self.cleaned_data["status"])]
        wrong = [status for status in statuses if status not in STATUSES]
        if wrong:
            raise forms.ValidationError(_("A status is open or closed, not “%(status)s”.") % {"status": wrong[0][:20]})
        return statuses

    def _moment(self, name):
        text = self.cleaned_data[name].strip()
        if not text:
            return None
        moment = parse_w3c_datetime(text)
        if moment is None:
            raise forms.ValidationError(_("Give a W3C date and time, such as 2026-03-01T08:15:00+05:00."))
        return moment

    def clean_start_date(self):
        return self._moment("start_date")

    def clean_end_date(self):
        return self._moment("end_date")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start is not None and end is not None:
            if start > end:
                self.add_error("end_date", _("end_date comes before start_date."))
            elif end - start > DEFAULT_SPAN:
                self.add_error("end_date", _("start_date and end_date may be at most %(days)d days apart.")
                               % {"days": DEFAULT_SPAN.days})
        return data
