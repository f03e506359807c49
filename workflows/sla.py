"""Working time: the arithmetic behind every SLA clock.

Time counts only on working days, in the municipality's time zone: a working day
counts in full (24 hours), a weekend day or a holiday not at all. A deadline of
"2 working days" is two full working days of elapsed working time; "4 working
hours" is four hours of it. Office hours are not modelled.

An organisation's holidays are its own plus those of every organisation above it
(the ministry sets the national ones, a city hall its local ones).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.cache import CachedConfiguration

DAY = datetime.timedelta(days=1)
WEEKEND = frozenset({5, 6})  # Saturday, Sunday
_MAX_DAYS = 3660  # ten years of calendar: a deadline further out is a configuration error


class Clock:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
    STOPPED = "stopped"

    LABELS = {
        ON_TIME: _("On time"),
        DUE_SOON: _("Due soon"),
        OVERDUE: _("Overdue"),
        PAUSED: _("Paused — waiting for the applicant"),
        STOPPED: _("Finished"),
    }


class WorkingCalendar:
    def __init__(self, holidays=(), *, weekend=WEEKEND, tz=None):
        self.holidays = frozenset(holidays)
        self.weekend = frozenset(weekend)
        self.tz = tz or ZoneInfo(settings.TIME_ZONE)

    def is_working_day(self, day):
        return day.weekday() not in self.weekend and day not in self.holidays

    def _midnight(self, day):
        return datetime.datetime.combine(day, datetime.time(), tzinfo=self.tz)

    def add(self, start, working_time):
        """The moment ``working_time`` of working time after ``start``. A negative
        amount (a clock already overdue) is plain elapsed time."""
        if working_time < datetime.timedelta(0):
            return start + working_time
        current = start.astimezone(self.tz)
        left = working_time
        for _day in range(_MAX_DAYS):
            next_midnight = self._midnight(current.date() + DAY)
            if self.is_working_day(current.date()):
                available = next_midnight - current
                if left <= available:
                    return (current + left).astimezone(datetime.UTC)
                left -= available
            current = next_midnight
        raise ValueError("A deadline more than ten years ahead.")

    def between(self, start, end):
        """Working time from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        if end < start:
            return -self.between(end, start)
        current = start.astimezone(self.tz)
        end = end.astimezone(self.tz)
        total = datetime.timedelta(0)
        while current < end:
            next_midnight = self._midnight(current.date() + DAY)
            stop = min(next_midnight, end)
            if self.is_working_day(current.date()):
                total += stop - current
            current = stop
        return total

    def add_working_days(self, start, days):
        return self.add(start, days * DAY)


#: holidays per organisation (its own and its ancestors')
calendar_cache = CachedConfiguration("workflows:calendar", timeout=3600)


def calendar_for(organisation_id):
    """The working calendar of an organisation (its holidays and its ancestors')."""
    from accounts.models import Organisation

    from .models import Holiday

    if organisation_id is None:
        return WorkingCalendar()
    holidays = calendar_cache.get(organisation_id)
    if holidays is None:
        chain, parent_id = [], organisation_id
        while parent_id is not None and parent_id not in chain:
            chain.append(parent_id)
            parent_id = Organisation.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        holidays = set(Holiday.objects.filter(organisation_id__in=chain).values_list("date", flat=True))
        calendar_cache.set(organisation_id, holidays)
    return WorkingCalendar(holidays)


@dataclass(frozen=True)
class Sla:
    """A step's service level: how long it may take, when to remind, what
    happens when it runs out.

    ``on_overdue``: ``"notify"`` e-mails the department's supervisors,
    ``"reassign"`` hands the task to a supervisor, ``"expire"`` calls the
    flow's ``task_expired(task)`` (an automatic step, e.g. closing an
    unanswered correction request).
    """

    days: int = 0
    hours: int = 0
    remind_before: datetime.timedelta | None = DAY
    on_overdue: str = "notify"
    #: the case's clock stands still while this step is open (waiting on the applicant)
    pauses_case: bool = False

    NOTIFY = "notify"
    REASSIGN = "reassign"
    EXPIRE = "expire"

    @property
    def allowed(self):
        return datetime.timedelta(days=self.days, hours=self.hours)


def due_soon_margin(allowed):
    """A clock is "due soon" in its last working day, or its last quarter if shorter."""
    return min(DAY, allowed / 4) if allowed else DAY


def clock_state(due, now=None, *, allowed=None):
    """On time, due soon or overdue, for a running clock due at ``due``."""
    if due is None:
        return None
    now = now or timezone.now()
    if now > due:
        return Clock.OVERDUE
    if due - now < due_soon_margin(allowed):
        return Clock.DUE_SOON
    return Clock.ON_TIME
