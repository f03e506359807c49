"""Holiday calendars: reading a yearly list and importing it, and the country's public holidays of a year."""

import csv
import datetime
import io

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from core import audit
from core.errors import ValidationFailed

from .models import Holiday

MAX_LIST_BYTES = 256 * 1024

#: Uzbekistan's public holidays that fall on the same day every year (Labour Code): month, day, name. The two
#: Hayit days (Ramazon and Qurbon) follow the lunar calendar and are announced each year, as are the extra days off
#: a decree may add: import those with ``import_holidays``.
PUBLIC_HOLIDAYS = [
    (1, 1, "New Year's Day"),
    (3, 8, "International Women's Day"),
    (3, 21, "Navruz"),
    (5, 9, "Day of Remembrance and Honour"),
    (9, 1, "Independence Day"),
    (10, 1, "Teachers' and Mentors' Day"),
    (12, 8, "Constitution Day"),
]


def parse_holiday_list(text):
    """Rows of ``YYYY-MM-DD,name`` (a ``date,name`` header is allowed) → [(date, name)].
    Every bad line is reported with its number; nothing is imported unless all are good."""
    rows, errors = [], []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().startswith("#"):
            continue
        if number == 1 and row[0].strip().lower() == "date":
            continue
        try:
            day = datetime.date.fromisoformat(row[0].strip())
        except ValueError:
            errors.append(_("Line %(line)d: “%(value)s” is not a date (YYYY-MM-DD).") % {"line": number, "value": row[0][:40]})
            continue
        name = ",".join(row[1:]).strip()[:200]
        rows.append((day, name))
    if errors:
        raise ValidationFailed(fields={"file": errors})
    if not rows:
        raise ValidationFailed(fields={"file": [_("The list has no holidays in it.")]})
    return rows


def holidays_import(*, actor, organisation, rows):
    """Add or rename the listed holidays of an organisation; returns (added, updated)."""
    added = updated = 0
    with transaction.atomic(), audit.batch():
        existing = {h.date: h for h in Holiday.objects.select_for_update().filter(
            organisation=organisation, date__in=[day for day, _name in rows])}
        for day, name in rows:
            holiday = existing.get(day)
            if holiday is None:
                existing[day] = Holiday.objects.create(organisation=organisation, date=day, name=name)
                added += 1
            elif name and holiday.name != name:
                holiday.name = name
                holiday.save(update_fields=["name"])
                updated += 1
        audit.record(actor=actor, action="workflows.holiday.import", obj=organisation,
                     after={"added": added, "updated": updated, "dates": sorted(str(day) for day, _name in rows)})
    return added, updated



def public_holidays(year):
    """The fixed public holidays of ``year``: [(date, name)]."""
    return [(datetime.date(year, month, day), name) for month, day, name in PUBLIC_HOLIDAYS]


def public_holidays_load(*, actor, year, organisations=None):
    """Put the public holidays of ``year`` into the calendars of ``organisations`` (by default every organisation at
    the top of a tree, so every organisation below inherits them). Only the missing days are added, so loading a year
    again changes nothing and writes no audit row. Returns the number of days added."""
    if organisations is None:
        organisations = Organisation.objects.filter(parent__isnull=True)
    rows = public_holidays(year)
    added = 0
    for organisation in organisations:
        known = set(Holiday.objects.filter(organisation=organisation, date__year=year).values_list("date", flat=True))
        missing = [(day, name) for day, name in rows if day not in known]
        if missing:
            added += holidays_import(actor=actor, organisation=organisation, rows=missing)[0]
    return added
