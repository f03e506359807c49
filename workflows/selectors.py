"""Permission-scoped reads of tasks: the inbox.

Every tab is one queryset over ``OpenTask`` (one row per open human task,
kept by workflows.open_tasks), scoped to the user's departments (or the tasks
they hold or stand in for), narrowed by the inbox filters and sorted in the
database; a page of it costs the same few queries at a thousand tasks or a
million, since finished tasks never enter that table.
"""

import datetime
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import cached_property
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions

from .flows import HELD_STATUSES, HUMAN
from .models import CaseClock, Delegation, OpenTask, TaskClock
from .registry import all_flows


def _department_entries(department_ids):
    return OpenTask.objects.filter(department_id__in=list(department_ids))


#: What a task shown to staff is drawn with: its case's process, holder and clocks.
SHOWN_WITH = ("process", "owner", "sla_clock", "process__case_clock")


#: All an inbox row draws of its task (templates/workflows/inbox.html) beyond its ``OpenTask`` row: the
#: step, state and holder's name, and the due date and state of its clock. Only these columns are read
#: for a page: the rest (the task's and the process's data, the holder's account) would be fetched and
#: converted for nothing, 25 rows a page. Its case's reference, applicant and submission date come with
#: the page's task ids from the ``OpenTask`` rows (``CASE_COLUMNS``), so the cases are not read at all.
INBOX_ROW_FIELDS = ("flow_task", "status", "owner", "process", "owner__full_name",
                    "sla_clock__due_at", "sla_clock__allowed", "sla_clock__finished_at")

#: the case's facts an inbox row shows, as its ``OpenTask`` row holds them
CASE_COLUMNS = ("reference", "applicant", "submitted_at")


def _case_label(task, reference):
    """How an inbox row names its case: its reference, or for a flow whose cases have none
    (the process is the case) the process's title and number."""
    return reference or f"{task.flow_task.flow_class.process_title} #{task.process_id}"


def _inbox_rows(entries):
    """The tasks of ``entries`` (``(task id, *CASE_COLUMNS)`` of their ``OpenTask`` rows) as an
    inbox page draws them, in that order, in one query."""
    tasks = (Task.objects.filter(pk__in=[entry[0] for entry in entries]).order_by()  # the page's order, below
             .select_related("owner", "sla_clock").only(*INBOX_ROW_FIELDS))
    by_pk = {task.pk: task for task in tasks}
    rows = []
    for pk, reference, applicant, submitted_at in entries:
        task = by_pk.get(pk)
        if task is None:
            continue
        clock = sla_clock_of(task)
        task.due = clock.due_at if clock else None
        task.clock = clock.state if clock else None
        task.case_label, task.applicant_name, task.submitted_at = _case_label(task, reference), applicant, submitted_at
        rows.append(task)
    return rows


def _oldest_first(entries):
    return entries.order_by("created", "task_id")  # "task" would sort by the task's own ordering, a join


def acting_for(user, today=None):
    """Whose tasks ``user`` works today: their own, and those of everyone who
    named them as substitute for a period that includes today."""
    cached = getattr(user, "_munis_acting_for", None)
    if cached is None:
        cached = {user.pk} | set(Delegation.objects.active(today).filter(substitute=user)
                                 .values_list("absent_id", flat=True))
        user._munis_acting_for = cached
    return cached


def _workable_entries(user):
    """Open tasks of the user's departments, less the heads' steps of
    departments they don't supervise."""
    supervised = list(permissions.headed_organisation_ids(user))
    return _department_entries(permissions.work_organisation_ids(user)).exclude(
        Q(heads_only=True) & ~Q(department_id__in=supervised))


def queue_for(*, user):
    """Unassigned tasks waiting in the user's departments (``OpenTask`` rows)."""
    return _oldest_first(_workable_entries(user).filter(status=STATUS.NEW))


def my_tasks_for(*, user):
    """Tasks the user holds, and those of colleagues they stand in for today."""
    return _oldest_first(OpenTask.objects.filter(owner__in=acting_for(user), status__in=HELD_STATUSES))


def team_tasks_for(*, user):
    """Assigned tasks in departments the user supervises (for reassigning)."""
    return _oldest_first(_department_entries(permissions.headed_organisation_ids(user))
                         .filter(status__in=HELD_STATUSES))


def overdue_for(*, user, now=None):
    """Open tasks past their deadline in the user's departments, held or not."""
    return _oldest_first(_workable_entries(user).filter(due_at__lt=now or timezone.now()))


def task_visible_to(*, user, pk):
    """A task a staff member may open: held by them (or by someone they stand
    in for), or in their department."""
    task = Task.objects.select_related(*SHOWN_WITH).filter(pk=pk, flow_task_type=HUMAN).first()
    if task is None:
        return None
    if task.owner_id in acting_for(user) and permissions.is_case_worker(user):
        return task
    if task.owner_permission_obj_pk and int(task.owner_permission_obj_pk) in permissions.work_organisation_ids(user):
        return task
    return None


# --- filters and sorting ----------------------------------------------------------

class Due:
    OVERDUE = "overdue"
    DAY = "day"
    WEEK = "week"
    NONE = "none"


SORTS = {
    "oldest": ("created", "task_id"),
    "newest": ("-created", "-task_id"),
    "due": (F("due_at").asc(nulls_last=True), "created", "task_id"),
    "-due": (F("due_at").desc(nulls_first=True), "-created", "-task_id"),
}


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox's filter bar asks for; empty means "any"."""

    query: str = ""
    service: str = ""
    status: str = ""
    due: str = ""
    district: int | None = None
    sort: str = "oldest"


def filter_tasks(entries, criteria, *, now=None):
    """Narrow and sort an inbox tab's ``OpenTask`` rows. The search matches
    each word (up to five) in the case's reference or its applicant's name."""
    now = now or timezone.now()
    for term in criteria.query.split()[:5]:
        entries = entries.filter(search__contains=term.upper())
    if criteria.service:
        entries = entries.filter(service=criteria.service)
    if criteria.district:
        entries = entries.filter(district_id=criteria.district)
    if criteria.status:
        entries = entries.filter(status=criteria.status)
    if criteria.due == Due.OVERDUE:
        entries = entries.filter(due_at__lt=now)
    elif criteria.due in (Due.DAY, Due.WEEK):
        horizon = now + (datetime.timedelta(days=1) if criteria.due == Due.DAY else datetime.timedelta(days=7))
        entries = entries.filter(due_at__gte=now, due_at__lt=horizon)
    elif criteria.due == Due.NONE:
        entries = entries.filter(due_at__isnull=True)
    return entries.order_by(*SORTS.get(criteria.sort, SORTS["oldest"]))


def service_choices():
    """``[(code, name)]`` of the services whose cases can reach the inbox."""
    choices = {}
    for flow_class in all_flows().values():
        choices.update(flow_class.instance.case_services())
    return sorted(choices.items(), key=lambda item: str(item[1]))


# --- display ----------------------------------------------------------------------

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
    """Attach the task's SLA clock (due date, state), its case and its case's clock for display."""
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


class CappedPaginator(Paginator):
    """Counts no further than ``cap`` rows: a list of thousands is paged up to
    its first ``cap`` and the page says there are more (narrow the filters),
    so counting never costs more than ``cap`` rows however many tasks wait."""

    cap = 1000

    @cached_property
    def counted(self):
        # Unsorted: any cap + 1 rows count the same, and the database stops at the first it finds
        # instead of sorting every match to take the first in order. Only their keys: the columns a
        # page shows are read for that page alone.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self.counted, self.cap)

    @property
    def capped(self):
        return self.counted > self.cap


#: tasks on one page of the inbox
INBOX_PAGE_SIZE = 25


def paginate(entries, page, per_page=INBOX_PAGE_SIZE):
    """One page of an inbox tab, in two steps: the page's task ids and case facts from
    its ``OpenTask`` rows (filtered, sorted and counted on that table's indexes), then
    those tasks with what their rows draw (``INBOX_ROW_FIELDS``)."""
    page_obj = CappedPaginator(entries.values_list("task_id", *CASE_COLUMNS), per_page).get_page(page)
    page_obj.object_list = _inbox_rows(list(page_obj.object_list))
    return page_obj
