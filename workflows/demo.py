"""Demo data of the engine: the working calendar. Without holidays, 1 January would count as a working day in every
deadline; the country's public holidays of this year and the next go into the calendar of every organisation at the
top of a tree (accounts' demo has made them), which all the organisations below inherit."""

from django.utils import timezone

from .holidays import public_holidays_load


def seed(*, stdout):
    this_year = timezone.localdate().year
    added = sum(public_holidays_load(actor=None, year=year) for year in (this_year, this_year + 1))
    stdout.write(f"Working calendars: public holidays of {this_year} and {this_year + 1} ({added} new days).")
