"""Human-readable reference numbers, gap-free per series and year, never reused.

Any app numbers its records here: a permit application (``BP-2026-000123``), a
problem report, a registered letter (``MIN-OUT-2026/00042``). A series is any
string up to 40 characters the caller chooses (a service's prefix, or an
organisation's journal and direction); the format is the caller's too.
"""

from django.db import connection

from .models import ReferenceSequence

DEFAULT_FORMAT = "{series}-{year}-{number:06d}"


def number_take_next(*, series, year):
    """The next number of ``series`` in ``year`` (1, 2, ...). Must run inside the
    caller's transaction, so a rolled-back record gives its number back: the
    UPDATE locks the counter row until commit, and concurrent callers queue."""
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    increment = f"UPDATE {table} SET last_value = last_value + 1 WHERE series = %s AND year = %s RETURNING last_value"
    if not connection.in_atomic_block:
        raise RuntimeError("number_take_next must run inside the caller's transaction.")
    with connection.cursor() as cursor:
        cursor.execute(increment, [series, year])
        row = cursor.fetchone()
        if row is None:  # first number of the year: create the counter, racing safely
            ReferenceSequence.objects.bulk_create([ReferenceSequence(series=series, year=year)], ignore_conflicts=True)
            cursor.execute(increment, [series, year])
            row = cursor.fetchone()
    return row[0]


def reference_take_next(*, series, year, format=DEFAULT_FORMAT):
    """``number_take_next`` formatted: ``format`` gets ``series``, ``year`` and ``number``."""
    return format.format(series=series, year=year, number=number_take_next(series=series, year=year))
