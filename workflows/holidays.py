"""Holiday calendars: reading a yearly list and importing it."""

import csv
import datetime
import io

from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import ValidationFailed

from .models import Holiday

MAX_LIST_BYTES = 256 * 1024


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
