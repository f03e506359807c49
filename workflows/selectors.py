"""Permission-scoped reads of tasks: the inbox."""

from django.core.paginator import Paginator
from django.db.models import Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions

from .flows import SUPERVISOR_TASK, organisation_content_type
from .models import CaseClock, TaskClock

HUMAN = "HUMAN"


def _department_tasks(department_ids):
    return Task.objects.filter(
        flow_task_type=HUMAN,
        owner_permission_content_type=organisation_content_type(),
        owner_permission_obj_pk__in=[str(pk) for pk in department_ids],
    )


def _with_case(qs):
    return (qs.select_related("process", "owner", "sla_clock", "process__case_clock")
            .prefetch_related("process__artifact").order_by("created", "id"))


def queue_for(*, user):
    """Unassigned tasks waiting in the user's departments (supervisor-only
    steps just for the departments they supervise)."""
    supervised = permissions.supervised_department_ids(user)
    tasks = _department_tasks(permissions.work_department_ids(user)).filter(status=STATUS.NEW)
    tasks = tasks.exclude(Q(owner_permission=SUPERVISOR_TASK) & ~Q(owner_permission_obj_pk__in=[str(d) for d in supervised]))
    return _with_case(tasks)


def my_tasks_for(*, user):
    return _with_case(
        Task.objects.filter(flow_task_type=HUMAN, owner=user, status__in=[STATUS.ASSIGNED, STATUS.STARTED])
    )


def team_tasks_for(*, user):
    """Assigned tasks in departments the user supervises (for reassigning)."""
    return _with_case(
        _department_tasks(permissions.supervised_department_ids(user)).filter(
            status__in=[STATUS.ASSIGNED, STATUS.STARTED]
        )
    )


def task_visible_to(*, user, pk):
    """A task a staff member may open: held by them, or in their department."""
    task = (Task.objects.select_related("process", "owner", "sla_clock", "process__case_clock")
            .filter(pk=pk, flow_task_type=HUMAN).first())
    if task is None:
        return None
    if task.owner_id == user.pk and permissions.is_case_worker(user):
        return task
    if task.owner_permission_obj_pk and int(task.owner_permission_obj_pk) in permissions.work_department_ids(user):
        return task
    return None


def sla_clock_of(task):
    try:
        return task.sla_clock
    except TaskClock.DoesNotExist:
        return None


def case_clock_of(process):
    try:
        return process.case_clock
    except CaseClock.DoesNotExist:
        return None


def decorate(tasks):
    """Attach the task's SLA clock (due date, state) and its case for display."""
    rows = []
    for task in tasks:
        clock = sla_clock_of(task)
        task.due = clock.due_at if clock else None
        task.clock = clock.state if clock else None
        task.case_clock = case_clock_of(task.process)
        task.case = task.process.artifact
        rows.append(task)
    return rows


def paginate_plain(qs, page, per_page=25):
    return Paginator(qs, per_page).get_page(page)


def paginate(qs, page, per_page=25):
    page_obj = Paginator(qs, per_page).get_page(page)
    page_obj.object_list = decorate(page_obj.object_list)
    return page_obj
