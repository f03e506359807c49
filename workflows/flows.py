"""The engine's base for every e-service flow.

A domain app writes ``class XFlow(CaseFlow, flow.Flow)`` in ``<app>/flows.py``.
The engine never imports domain code: it learns a flow's task forms, deadlines
and case summary from these class attributes, and finds the case a process
serves through viewflow's ``process.artifact``.
"""

from django.contrib.contenttypes.models import ContentType
from viewflow.workflow import lock

from accounts.models import Organisation

from .sla import add_working_days

STAFF_TASK = "munis.staff"
SUPERVISOR_TASK = "munis.supervisor"


def department_task(resolve_department, *, supervisor_only=False):
    """``.Permission(**department_task(fn))`` routes a human task to the
    department ``fn(process)`` returns: its clerks (or, for
    ``supervisor_only``, its supervisors) see it in their queue."""
    return {"permission": SUPERVISOR_TASK if supervisor_only else STAFF_TASK, "obj": resolve_department}


class CaseFlow:
    # Row lock on the process (SELECT ... FOR UPDATE, waiting rather than
    # failing): claim, complete and joins never interleave on PostgreSQL.
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    #: node name -> deadline in working days
    task_deadlines: dict = {}
    #: node name -> (form class, handler(*, task, actor, data, files))
    task_forms: dict = {}
    #: template showing the case on a staff task page (context: case, task)
    case_template = "workflows/case_summary.html"

    def task_due(self, task):
        days = self.task_deadlines.get(task.flow_task.name)
        return add_working_days(task.created, days) if days else None

    def task_form(self, task):
        return self.task_forms.get(task.flow_task.name)


def organisation_content_type():
    return ContentType.objects.get_for_model(Organisation)
