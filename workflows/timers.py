"""The timers runner: reminders before a task's deadline, escalation at it,
automatic steps. ``manage.py run_timers`` calls it once or in a loop; in
production Celery beat calls the same function (``workflows.tasks``).

Each timer fires in its own transaction, claimed by a conditional UPDATE, so a
second run, or a second runner at the same time, never fires it again. A timer
whose work fails is given back (its transaction rolls back) and is tried again
on the next run; the failure is logged.
"""

import logging
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone

from core import housekeeping
from core.idempotency import forget_old as forget_old_form_keys

from . import services
from .models import TaskClock

log = logging.getLogger(__name__)


@dataclass
class TimerRun:
    reminded: int = 0
    escalated: dict = field(default_factory=dict)
    failed: int = 0

    @property
    def fired(self):
        return self.reminded + sum(self.escalated.values())

    def __str__(self):
        escalated = ", ".join(f"{outcome} {count}" for outcome, count in sorted(self.escalated.items())) or "0"
        return f"reminded {self.reminded}, escalated {escalated}, failed {self.failed}"


def run_due_timers(*, now=None, batch=500):
    """Fire every timer due at ``now``; returns what was done."""
    now = now or timezone.now()
    run = TimerRun()
    reminders = (TaskClock.objects.filter(remind_at__lte=now, reminded_at__isnull=True, finished_at__isnull=True,
                                          due_at__gt=now)
                 .order_by("remind_at").values_list("pk", flat=True)[:batch])
    for clock in TaskClock.objects.filter(pk__in=list(reminders)).order_by("remind_at"):
        try:
            run.reminded += services.task_remind(clock=clock, now=now)
        except Exception:  # noqa: BLE001 - one bad timer must not stop the others
            log.exception("Reminder for task %s failed", clock.task_id)
            run.failed += 1
    overdue = (TaskClock.objects.filter(due_at__lte=now, escalated_at__isnull=True, finished_at__isnull=True)
               .order_by("due_at").values_list("pk", flat=True)[:batch])
    for clock in TaskClock.objects.filter(pk__in=list(overdue)).order_by(F("due_at").asc()):
        try:
            outcome = services.task_escalate(clock=clock, now=now)
        except Exception:  # noqa: BLE001
            log.exception("Escalation of task %s failed", clock.task_id)
            run.failed += 1
            continue
        if outcome:
            run.escalated[outcome] = run.escalated.get(outcome, 0) + 1
    forget_old_form_keys(now)
    housekeeping.run_all(now)
    return run
