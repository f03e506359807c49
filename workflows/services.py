"""Task write paths: claim, release, reassign, complete.

Each runs in one transaction under the flow's process row lock, re-reads the
task, checks the domain rule (who may act, in which state) and writes one
audit event. Two clerks can never both hold a task.
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from accounts import permissions
from core import audit
from core.errors import DomainError, InvalidTransition, PermissionDenied

from .delegations import substitutes_of
from .flows import HELD_STATUSES, HUMAN, OPEN_STATUSES, SUPERVISOR_TASK, case_of, organisation_content_type, task_label
from .incidents import failures_become_incidents
from .models import CaseClock, TaskClock
from .notifications import notify_staff


def task_department_id(task):
    if task.owner_permission_obj_pk and task.owner_permission_content_type_id:
        return int(task.owner_permission_obj_pk)
    return None


def can_claim(user, task):
    if task.owner_permission == SUPERVISOR_TASK:
        return task_department_id(task) in permissions.headed_organisation_ids(user)
    return task_department_id(task) in permissions.work_organisation_ids(user)


def can_supervise(user, task):
    return task_department_id(task) in permissions.headed_organisation_ids(user)


@contextmanager
def _task_locked(task):
    """Take the flow's process row lock, then re-read the task as it is now."""
    with task.flow_task.flow_class.lock(task.process_id):
        yield Task.objects.select_for_update().select_related("process").get(pk=task.pk)


def _snapshot(task):
    return {"status": task.status, "owner": task.owner_id}


def task_claim(*, task, actor):
    with transaction.atomic(), _task_locked(task) as task:
        if not can_claim(actor, task):
            if task.owner_permission == SUPERVISOR_TASK and task_department_id(task) in permissions.work_organisation_ids(actor):
                raise PermissionDenied(_("Only the head of the department can take this step."))
            raise PermissionDenied(_("This task belongs to another department."))
        if task.owner_id == actor.pk and task.status in HELD_STATUSES:
            return task  # a retried claim: the task is already the actor's, nothing to do again
        if task.status != STATUS.NEW or task.owner_id:
            raise InvalidTransition(_("Someone else has already taken this task."), code="task_taken")
        before = _snapshot(task)
        activation = task.flow_task.activation_class(task)
        activation.assign(actor)
        task.assigned = timezone.now()
        task.save(update_fields=["assigned"])
        audit.record(actor=actor, action="workflows.task.claim", obj=task, before=before,
                     after=_snapshot(task), trail=case_of(task), label=task_label(task))
    return task


def works_for_holder(user, task):
    """The user holds the task, or stands in today for the colleague who does
    and could have taken the task themselves."""
    from .selectors import acting_for

    if task.owner_id == user.pk:
        return True
    return task.owner_id in acting_for(user) and can_claim(user, task)


def task_unclaim(*, task, actor):
    with transaction.atomic(), _task_locked(task) as task:
        if not works_for_holder(actor, task) and not can_supervise(actor, task):
            raise PermissionDenied(_("You do not hold this task."))
        if task.status != STATUS.ASSIGNED or not can_claim(task.owner, task):
            raise InvalidTransition(_("This task cannot be released now."), code="task_not_releasable")
        before = _snapshot(task)
        task.flow_task.activation_class(task).unassign()
        audit.record(actor=actor, action="workflows.task.unclaim", obj=task, before=before,
                     after=_snapshot(task), trail=case_of(task), label=task_label(task))
    return task


def task_reassign(*, task, actor, assignee):
    with transaction.atomic(), _task_locked(task) as task:
        if not can_supervise(actor, task):
            raise PermissionDenied(_("Only a supervisor of this department can reassign the task."))
        if task.status not in (STATUS.NEW, STATUS.ASSIGNED):
            raise InvalidTransition(_("This task is already finished."), code="task_finished")
        if not can_claim(assignee, task):
            raise InvalidTransition(_("The new assignee does not work in this department."), code="assignee_not_in_department")
        before = _snapshot(task)
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.NEW:
            activation.assign(assignee)
        else:
            activation.reassign(assignee)
        task.assigned = timezone.now()
        task.save(update_fields=["assigned"])
        audit.record(actor=actor, action="workflows.task.reassign", obj=task, before=before,
                     after=_snapshot(task), trail=case_of(task), label=task_label(task))
    return task


def tasks_reassign(*, tasks, actor, assignee):
    """Hand several tasks to one colleague: all of them or, if one can't be
    moved, none (the message names the task that stopped it)."""
    with transaction.atomic():
        for task in sorted(tasks, key=lambda t: t.pk):  # one lock order, so two supervisors never deadlock
            try:
                task_reassign(task=task, actor=actor, assignee=assignee)
            except DomainError as exc:
                raise type(exc)(_("%(task)s: %(reason)s") % {"task": task_label(task), "reason": exc.message},
                                code=exc.code) from exc
    return len(tasks)


def task_complete(*, task, actor, action="workflows.task.complete", comment="", task_data=None,
                  process_data=None, before=None, after=None, on_done=None):
    """Finish a human task the actor holds and move the flow on. ``actor=None``
    is the system acting on its own (an automatic step fired by the timers).

    ``process_data`` feeds the flow's gateways; ``on_done(task)`` lets the
    calling domain service update its case inside the same transaction.
    """
    with transaction.atomic(), _task_locked(task) as task:
        if actor is not None and not works_for_holder(actor, task):  # None: the system (timers)
            if task.status in OPEN_STATUSES:
                raise PermissionDenied(_("You do not hold this task. Claim it first."))
        if actor is None and task.status == STATUS.NEW:
            task.status = STATUS.ASSIGNED  # the system finishes a step nobody holds (a person's answer by link)
        if task.status not in (STATUS.ASSIGNED, STATUS.STARTED):
            raise InvalidTransition(_("This task is already finished."), code="task_finished")
        task.data = {**(task.data or {}), **(task_data or {}), "comment": comment}
        if process_data:
            task.process.data = {**(task.process.data or {}), **process_data}
            task.process.save(update_fields=["data"])
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
        # Recorded before the flow moves on, so the trail reads in the order things happened: the decision,
        # then the letter its automatic next step issues (within this transaction, so both or neither).
        on_behalf = {"on_behalf_of": task.owner_id} if actor is not None and task.owner_id != actor.pk else {}
        audit.record(actor=actor, action=action, obj=task,
                     before={**_snapshot_before(task), **(before or {})},
                     after={"status": STATUS.DONE, "comment": comment, **on_behalf, **(task_data or {}),
                            **(after or {})},
                     trail=case_of(task), label=task_label(task))
        with failures_become_incidents():
            activation.execute()
        if on_done:
            on_done(task)
    return task


def task_move(*, task, organisation, actor, action, reason, after=None):
    """Send an open task to another organisation's queue (a report routed to the wrong supplier): whoever held
    it lets it go, the new organisation's people see it in their queue, its clock runs on. ``action`` names the
    event as the domain tells it (one audit row on the case's trail, with the reason)."""
    from .flows import department_task

    with transaction.atomic(), _task_locked(task) as task:
        if task.status not in OPEN_STATUSES:
            raise InvalidTransition(_("This task is already finished."), code="task_finished")
        department_task(lambda process: organisation)["obj"](task.process)  # refuses a kind nobody works for
        before = {**_snapshot(task), "organisation": task_department_id(task)}
        task.owner_permission_content_type = organisation_content_type()
        task.owner_permission_obj_pk = str(organisation.pk)
        task.owner = None
        task.status = STATUS.NEW
        task.save(update_fields=["owner_permission_content_type", "owner_permission_obj_pk", "owner", "status"])
        audit.record(actor=actor, action=action, obj=case_of(task), trail=case_of(task), before=before,
                     after={**_snapshot(task), "organisation": organisation.pk, "reason": reason, **(after or {})})
    return task


def _snapshot_before(task):
    return {"task": task.flow_task.name}


def process_cancel(*, process, actor, reason="", action="workflows.process.cancel", before=None, after=None,
                   on_done=None):
    """Stop a case's process where it stands, before it ends (its person withdrew the case, …): every
    open task is cancelled, so it leaves the inbox (workflows.open_tasks) and its clock stops, the case
    clock stops, and the process is marked cancelled. ``action`` names the event as the domain tells it
    (one audit row on the case's trail, with the steps that were open); ``on_done(process)`` updates
    the case inside the same transaction."""
    with transaction.atomic(), audit.batch(), process.flow_class.lock(process.pk):
        process = Process.objects.select_for_update().get(pk=process.pk)
        if process.status != PROCESS.NEW:
            raise InvalidTransition(_("This case has already ended."), code="process_ended")
        open_steps = sorted(task.flow_task.name for task in Task.objects.filter(
            process=process, flow_task_type=HUMAN, status__in=OPEN_STATUSES))
        try:
            process.flow_class.instance.cancel(process)
        except FlowRuntimeError as exc:  # a step is running right now: it must finish first
            raise InvalidTransition(_("The case is being worked on at this moment. Please try again in a minute."),
                                    code="process_busy") from exc
        now = timezone.now()
        TaskClock.objects.filter(process_id=process.pk, finished_at__isnull=True).update(finished_at=now)
        CaseClock.objects.filter(process_id=process.pk, stopped_at__isnull=True).update(stopped_at=now)
        case = process.artifact or process
        audit.record(actor=actor, action=action, obj=case, trail=case, before={"steps": open_steps, **(before or {})},
                     after={"process": process.status, "reason": reason, **(after or {})})
        if on_done:
            on_done(process)
    return process


# --- timers: reminders, escalations, automatic steps ------------------------------

def _claim_timer(clock_pk, field, *, due_field, now):
    """Mark a timer fired, atomically: the conditional UPDATE is the claim, so
    two runners (or two runs) never fire the same timer. Must run inside the
    transaction that does the timer's work, so a failure gives the claim back."""
    from .models import TaskClock

    return TaskClock.objects.filter(
        pk=clock_pk, finished_at__isnull=True, **{f"{field}__isnull": True, f"{due_field}__lte": now},
    ).update(**{field: now}) == 1


def _close_stale_clock(clock, task, now):
    """The task finished or was cancelled without the clock noticing."""
    type(clock).objects.filter(pk=clock.pk, finished_at__isnull=True).update(finished_at=task.finished or now)


def task_remind(*, clock, now):
    """Remind whoever holds the task (or its department, while unclaimed) that it is due soon."""
    with transaction.atomic():
        if not _claim_timer(clock.pk, "reminded_at", due_field="remind_at", now=now):
            return False
        task = Task.objects.select_related("process", "owner").get(pk=clock.task_id)
        if task.status not in OPEN_STATUSES:
            _close_stale_clock(clock, task, now)
            return False
        if task.owner_id:
            recipients = [task.owner, *substitutes_of([task.owner_id]).get(task.owner_id, [])]
        else:
            recipients = list(permissions.organisation_members(task_department_id(task)))
        audit.record(actor=None, action="workflows.task.remind", obj=task, trail=case_of(task),
                     label=task_label(task), after={"due": clock.due_at, "to": [u.pk for u in recipients]})
        notify_staff(recipients, "reminder", task=task, due=clock.due_at, optional=True)  # due soon, not late yet
    return True


def task_escalate(*, clock, now):
    """The task's deadline has passed: do what its Sla says (notify the
    supervisors, hand the task to one, or run the flow's automatic step)."""
    from .sla import Sla

    with transaction.atomic():
        if not _claim_timer(clock.pk, "escalated_at", due_field="due_at", now=now):
            return None
        task = Task.objects.select_related("process").get(pk=clock.task_id)
        if task.status not in OPEN_STATUSES:
            _close_stale_clock(clock, task, now)
            return None
        flow = task.flow_task.flow_class.instance
        sla = flow.task_sla_for(task)
        if sla.on_overdue == Sla.EXPIRE:
            flow.task_expired(task)
            return Sla.EXPIRE
        with _task_locked(task) as task:
            supervisors = list(permissions.organisation_members(task_department_id(task), heads=True))
            away = substitutes_of([s.pk for s in supervisors])
            supervisors = [s for s in supervisors if s.pk not in away] or supervisors
            before = _snapshot(task)
            assignee = None
            if sla.on_overdue == Sla.REASSIGN:
                assignee = min((s for s in supervisors if s.pk != task.owner_id),
                               key=lambda s: (_open_task_count(s), s.pk), default=None)
            if assignee is not None:
                activation = task.flow_task.activation_class(task)
                if task.status == STATUS.NEW:
                    activation.assign(assignee)
                elif task.status == STATUS.ASSIGNED:
                    activation.reassign(assignee)
                else:  # started: hand over as it stands
                    task.owner = assignee
                task.assigned = now
                task.save(update_fields=["owner", "assigned", "status"])
            outcome = Sla.REASSIGN if assignee else Sla.NOTIFY
            audit.record(actor=None, action="workflows.task.escalate", obj=task, trail=case_of(task),
                         label=task_label(task), before=before,
                         after={**_snapshot(task), "outcome": outcome, "due": clock.due_at,
                                "notified": [s.pk for s in ([assignee] if assignee else supervisors)]})
            notify_staff([assignee] if assignee else supervisors, "escalated", task=task, due=clock.due_at,
                         reassigned=assignee is not None)
        return outcome


def _open_task_count(user):
    return Task.objects.filter(owner=user, status__in=OPEN_STATUSES).count()
