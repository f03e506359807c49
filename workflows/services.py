"""Task write paths: claim, release, reassign, complete.

Each runs in one transaction under the flow's process row lock, re-reads the
task, checks the domain rule (who may act, in which state) and writes one
audit event. Two clerks can never both hold a task.
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions
from core import audit
from core.errors import InvalidTransition, PermissionDenied

from .flows import SUPERVISOR_TASK

OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def task_department_id(task):
    if task.owner_permission_obj_pk and task.owner_permission_content_type_id:
        return int(task.owner_permission_obj_pk)
    return None


def can_claim(user, task):
    if task.owner_permission == SUPERVISOR_TASK:
        return task_department_id(task) in permissions.supervised_department_ids(user)
    return task_department_id(task) in permissions.work_department_ids(user)


def can_supervise(user, task):
    return task_department_id(task) in permissions.supervised_department_ids(user)


def _case_of(task):
    return task.process.artifact


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
            if task.owner_permission == SUPERVISOR_TASK and task_department_id(task) in permissions.work_department_ids(actor):
                raise PermissionDenied(_("Only the head of the department can take this step."))
            raise PermissionDenied(_("This task belongs to another department."))
        if task.status != STATUS.NEW or task.owner_id:
            raise InvalidTransition(_("Someone else has already taken this task."), code="task_taken")
        before = _snapshot(task)
        activation = task.flow_task.activation_class(task)
        activation.assign(actor)
        task.assigned = timezone.now()
        task.save(update_fields=["assigned"])
        audit.record(actor=actor, action="workflows.task.claim", obj=task, before=before,
                     after=_snapshot(task), trail=_case_of(task), label=task_label(task))
    return task


def task_unclaim(*, task, actor):
    with transaction.atomic(), _task_locked(task) as task:
        if task.owner_id != actor.pk and not can_supervise(actor, task):
            raise PermissionDenied(_("You do not hold this task."))
        if task.status != STATUS.ASSIGNED or not can_claim(task.owner, task):
            raise InvalidTransition(_("This task cannot be released now."), code="task_not_releasable")
        before = _snapshot(task)
        task.flow_task.activation_class(task).unassign()
        audit.record(actor=actor, action="workflows.task.unclaim", obj=task, before=before,
                     after=_snapshot(task), trail=_case_of(task), label=task_label(task))
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
                     after=_snapshot(task), trail=_case_of(task), label=task_label(task))
    return task


def task_complete(*, task, actor, action="workflows.task.complete", comment="", task_data=None,
                  process_data=None, before=None, after=None, on_done=None):
    """Finish a human task the actor holds and move the flow on.

    ``process_data`` feeds the flow's gateways; ``on_done(task)`` lets the
    calling domain service update its case inside the same transaction.
    """
    with transaction.atomic(), _task_locked(task) as task:
        if task.owner_id != actor.pk:
            if task.status in OPEN_STATUSES:
                raise PermissionDenied(_("You do not hold this task. Claim it first."))
        if task.status not in (STATUS.ASSIGNED, STATUS.STARTED):
            raise InvalidTransition(_("This task is already finished."), code="task_finished")
        task.data = {**(task.data or {}), **(task_data or {}), "comment": comment}
        if process_data:
            task.process.data = {**(task.process.data or {}), **process_data}
            task.process.save(update_fields=["data"])
        activation = task.flow_task.activation_class(task)
        if task.status == STATUS.ASSIGNED:
            activation.start(None)
        activation.execute()
        audit.record(actor=actor, action=action, obj=task,
                     before={**_snapshot_before(task), **(before or {})},
                     after={"status": task.status, "comment": comment, **(task_data or {}), **(after or {})},
                     trail=_case_of(task), label=task_label(task))
        if on_done:
            on_done(task)
    return task


def _snapshot_before(task):
    return {"task": task.flow_task.name}


def task_label(task):
    case = _case_of(task)
    return f"{case} — {task.flow_task.task_title or task.flow_task.name}"
