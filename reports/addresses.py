"""The municipality's own address list: what the report form's address search finds (``address_search``), the
address a resident typed matched to its place (``address_matching``), and the list loaded from a CSV file
(``addresses_import``, ``manage.py import_addresses``).

The list is configuration, like the categories and the routing matrix: its rows keep their history
(simple-history; an import names its file as the reason), not an audit event each."""

import csv
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from .models import Address, address_search_text

#: the fewest characters a search needs, and the most places it answers with
SEARCH_MIN_CHARS = 2
SEARCH_LIMIT = 10


def address_search(query, *, limit=SEARCH_LIMIT):
    """Places whose label holds every word of ``query`` (any case, Ё as Е), those starting with it first;
    none for fewer than two characters."""
    text = address_search_text(query)
    if len(text) < SEARCH_MIN_CHARS:
        return []
    places = Address.objects.all()
    for word in text.split():
        places = places.filter(search__contains=word)
    places = places.annotate(starts=Case(When(search__startswith=text, then=Value(0)), default=Value(1),
                                         output_field=IntegerField()))
    return list(places.order_by("starts", "label").only("label", "latitude", "longitude")[:limit])


def address_matching(text):
    """The place of the list whose label is exactly ``text`` (any case, any spacing), or None: a resident who
    typed a listed address without a map has said where the problem is."""
    search = address_search_text(text)
    return Address.objects.filter(search=search).first() if search else None


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    #: (line number, what is wrong) of each row left out
    refused: list = None


def _row_problem(row):
    if len(row) < 3:
        return None, _("expected three columns: label, lat, lng")
    label = " ".join(row[0].split())
    if not label:
        return None, _("the label is empty")
    if len(label) > 255:
        return None, _("the label is longer than 255 characters")
    try:
        latitude, longitude = float(row[1].replace(",", ".")), float(row[2].replace(",", "."))
    except ValueError:
        return None, _("lat and lng must be numbers in degrees")
    if not (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, _("lat must be within ±90 and lng within ±180 degrees")
    return (label, latitude, longitude), None


def read_address_rows(lines):
    """``((label, latitude, longitude) rows, [(line, problem)])`` of a CSV text's lines (``label,lat,lng``; a
    first line naming the columns is skipped). A label given twice keeps its last place."""
    rows, refused = {}, []
    for number, row in enumerate(csv.reader(lines), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and [cell.strip().lower() for cell in row[:3]] == ["label", "lat", "lng"]:
            continue
        parsed, problem = _row_problem(row)
        if problem:
            refused.append((number, problem))
        else:
            rows[parsed[0]] = parsed
    return list(rows.values()), refused


def addresses_import(*, rows, replace=False, reason=""):
    """Add the ``(label, latitude, longitude)`` rows to the address list, moving a listed label to its new place;
    ``replace``: the list becomes exactly these rows (the others are removed). One transaction."""
    result = ImportResult(refused=[])
    with transaction.atomic():
        existing = {address.label: address for address in Address.objects.all()}
        for label, latitude, longitude in rows:
            address = existing.pop(label, None)
            if address is None:
                address = Address(label=label, latitude=latitude, longitude=longitude)
                result.created += 1
            elif (address.latitude, address.longitude) != (latitude, longitude):
                address.latitude, address.longitude = latitude, longitude
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            address._change_reason = reason[:100]
            address.save()
        if replace:
            for address in existing.values():
                address._change_reason = reason[:100]
                address.delete()
                result.removed += 1
    return result
