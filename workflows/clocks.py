"""SLA clocks follow the flow: viewflow announces a case started, a task created
or finished, a case finished; the engine starts, pauses, resumes and stops the
clocks in the same transaction."""

from django.db.models.signals import post_save
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.signals import flow_finished, flow_started, task_finished

from .flows import HUMAN, CaseFlow
from .models import CaseClock, TaskClock
from .sla import calendar_for


def _case_flow(flow_class):
    return flow_class.instance if isinstance(flow_class, type) and issubclass(flow_class, CaseFlow) else None


def _sla_of(task):
    flow = _case_flow(task.flow_task.flow_class)
    return flow.task_sla_for(task) if flow else None


def _case_clock(process):
    if not hasattr(process, "_munis_case_clock"):
        process._munis_case_clock = CaseClock.objects.filter(process_id=process.pk).first()
    return process._munis_case_clock


def case_clock_start(sender, process, **kwargs):
    flow = _case_flow(sender)
    spec = flow.case_deadline(process) if flow else None
    if spec is None:
        process._munis_case_clock = None
        return
    allowed, calendar_id = spec
    now = timezone.now()
    process._munis_case_clock = CaseClock.objects.create(
        process=process, calendar_id=calendar_id, allowed=allowed, started_at=now,
        due_at=calendar_for(calendar_id).add(now, allowed),
    )


def task_clock_start(sender, instance, created, **kwargs):
    if not created or instance.flow_task_type != HUMAN:
        return
    sla = _sla_of(instance)
    if sla is None:
        return
    case_clock = _case_clock(instance.process)
    calendar = calendar_for(case_clock.calendar_id if case_clock else None)
    start = instance.created or timezone.now()
    remind_at = None
    if sla.remind_before and sla.remind_before < sla.allowed:
        remind_at = calendar.add(start, sla.allowed - sla.remind_before)
    instance._munis_task_clock = TaskClock.objects.create(
        task=instance, process_id=instance.process_id, allowed=sla.allowed,
        due_at=calendar.add(start, sla.allowed), remind_at=remind_at)
    if sla.pauses_case and case_clock is not None:
        case_clock_pause(case_clock, calendar, start)


def started_clock(task):
    """The clock ``task_clock_start`` gave a task just created (None: no deadline)."""
    return getattr(task, "_munis_task_clock", None)


def task_clock_stop(sender, process, task, **kwargs):
    if task.flow_task_type != HUMAN:
        return
    sla = _sla_of(task)
    if sla is None:
        return
    now = task.finished or timezone.now()
    TaskClock.objects.filter(task_id=task.pk, finished_at__isnull=True).update(finished_at=now)
    if sla.pauses_case:
        case_clock = _case_clock(task.process)
        if case_clock is not None:
            case_clock_resume(case_clock, calendar_for(case_clock.calendar_id), now)


def case_clock_stop(sender, process, **kwargs):
    CaseClock.objects.filter(process_id=process.pk, stopped_at__isnull=True).update(stopped_at=timezone.now())


def case_clock_pause(clock, calendar, at):
    if clock.paused_at or clock.stopped_at:
        return
    clock.remaining_when_paused = calendar.between(at, clock.due_at)
    clock.paused_at, clock.due_at = at, None
    clock.save(update_fields=["remaining_when_paused", "paused_at", "due_at"])


def case_clock_resume(clock, calendar, at):
    if not clock.paused_at:
        return
    clock.paused_total += calendar.between(clock.paused_at, at)
    clock.due_at = calendar.add(at, clock.remaining_when_paused)
    clock.paused_at = clock.remaining_when_paused = None
    clock.save(update_fields=["paused_total", "due_at", "paused_at", "remaining_when_paused"])


def connect():
    flow_started.connect(case_clock_start, dispatch_uid="munis-case-clock-start")
    flow_finished.connect(case_clock_stop, dispatch_uid="munis-case-clock-stop")
    post_save.connect(task_clock_start, sender=Task, dispatch_uid="munis-task-clock-start")
    task_finished.connect(task_clock_stop, dispatch_uid="munis-task-clock-stop")
