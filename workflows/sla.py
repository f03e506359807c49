"""Working-day deadlines. Weekends are not working days; the per-organisation
holiday calendar arrives with the workflow-engine issue."""

import datetime

from django.utils import timezone


def add_working_days(start, days):
    current = start
    added = 0
    while added < days:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


class Clock:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def clock_state(due, now=None):
    if due is None:
        return None
    now = now or timezone.now()
    if now > due:
        return Clock.OVERDUE
    if due - now < datetime.timedelta(days=1):
        return Clock.DUE_SOON
    return Clock.ON_TIME
