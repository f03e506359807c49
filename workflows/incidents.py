"""Incidents: an automatic step (a flow Function) that raised. The step's work
is rolled back to its savepoint, the task is kept in ERROR with the error, the
rest of the transaction (e.g. the decision that led to it) commits, and the
incident waits in the incident list until an administrator retries or skips it.
No case is left silently stuck.
"""

from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.context import Context
from viewflow.workflow.models import Task
from viewflow.workflow.signals import task_failed, task_started
from viewflow.workflow.status import STATUS

from accounts import permissions
from core import audit
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed

from .flows import case_of, incident_error, task_label

AUTOMATIC = ("FUNCTION",)


@contextmanager
def failures_become_incidents():
    """Run flow activations so that a failing automatic step becomes an incident
    instead of undoing the caller's whole transaction."""
    with Context(propagate_exception=False):
        yield


def _step_started(sender, process, task, **kwargs):
    if task.flow_task_type in AUTOMATIC:
        task._munis_audit_mark = audit.batch_mark()


def _step_failed(sender, process, task, **kwargs):
    """Forget the audit events of the rolled-back work and record the incident."""
    audit.batch_discard_after(getattr(task, "_munis_audit_mark", None))
    error = incident_error(task)
    audit.record(actor=None, action="workflows.task.fail", obj=task, trail=case_of(task), label=task_label(task),
                 after={"task": task.flow_task.name, "error": error[:500]})


def connect():
    task_started.connect(_step_started, dispatch_uid="munis-incident-mark")
    task_failed.connect(_step_failed, dispatch_uid="munis-incident-record")


def can_resolve_incidents(user):
    return permissions.has_role(user, permissions.Role.ADMIN)


def can_see_incidents(user):
    return can_resolve_incidents(user) or permissions.can_read_audit(user)


def _locked_incident(task, actor):
    if not can_resolve_incidents(actor):
        raise PermissionDenied(_("Only an administrator can resolve incidents."))
    task = Task.objects.select_for_update().select_related("process").get(pk=task.pk)
    if task.status != STATUS.ERROR:
        raise InvalidTransition(_("This incident has already been resolved."), code="incident_resolved")
    return task


def incident_retry(*, task, actor):
    """Run the failed step again. If it fails again, that is a new incident."""
    with transaction.atomic(), audit.batch(), task.flow_task.flow_class.lock(task.process_id):
        task = _locked_incident(task, actor)
        error = incident_error(task)
        activation = task.flow_task.activation_class(task)
        with failures_become_incidents():
            retried = activation.revive()
        retried.refresh_from_db()
        outcome = "done" if retried.status == STATUS.DONE else "failed_again"
        audit.record(actor=actor, action="workflows.incident.retry", obj=task, trail=case_of(task), label=task_label(task),
                     before={"status": STATUS.ERROR, "error": error[:500]},
                     after={"status": retried.status, "outcome": outcome, "new_task": retried.pk})
    return retried


def incident_skip(*, task, actor, reason):
    """Pass over the failed step and let the flow go on without it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the step may be skipped.")]})
    with transaction.atomic(), audit.batch(), task.flow_task.flow_class.lock(task.process_id):
        task = _locked_incident(task, actor)
        error = incident_error(task)
        task.status, task.finished = STATUS.DONE, timezone.now()
        task.data = {**task.data, "skipped": {"by": actor.pk, "reason": reason}}
        task.save(update_fields=["status", "finished", "data"])
        with failures_become_incidents():
            task.flow_task.activation_class(task).activate_next()
        audit.record(actor=actor, action="workflows.incident.skip", obj=task, trail=case_of(task), label=task_label(task),
                     before={"status": STATUS.ERROR, "error": error[:500]}, after={"status": task.status, "reason": reason})
    return task


def open_incidents():
    return (Task.objects.filter(status=STATUS.ERROR).select_related("process")
            .prefetch_related("process__artifact").order_by("-finished", "-id"))
