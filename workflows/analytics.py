"""Process analytics: how much work each step of each flow gets through, how
long it takes, how often it meets its deadline and where work piles up — per
department and per month, for every ``CaseFlow`` of the registry.

Only human steps count (automatic steps take no time worth measuring). A task
is counted by its own dates, in the municipality's time zone:

* *finished* figures (volume, median and 90th-percentile time, SLA compliance)
  in the month the task finished;
* *started* and *open* (with *overdue*) in the month the task was created, so
  the open tasks of every month add up to today's backlog.

Time is plain elapsed time from the task's creation to its end (not working
time). SLA compliance is the share of finished tasks with an SLA clock that
finished by its due date; a step without an SLA has no figure.

Everything is aggregated in the database with a fixed number of queries,
however many tasks there are: PostgreSQL's ``percentile_cont`` for the
percentiles, and on SQLite an aggregate with the same definition registered
on the connection.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Aggregate, Case, CharField, Count, DurationField, F, Q, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions
from accounts.models import Organisation
from core import audit

from . import bpmn, registry
from .flows import HUMAN, OPEN_STATUSES, organisation_content_type

# --- who may see what ---------------------------------------------------------------------------

def can_see_analytics(user):
    """Supervisors (their departments), auditors and administrators (everything)."""
    return permissions.can_read_all_cases(user) or bool(permissions.headed_organisation_ids(user))


def visible_department_ids(user):
    """The departments whose tasks the user may analyse; ``None`` for all (and tasks of no department)."""
    if permissions.can_read_all_cases(user):
        return None
    return permissions.headed_organisation_ids(user)


def department_choices(user):
    """Departments the user may filter by."""
    departments = Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)
    visible = visible_department_ids(user)
    if visible is not None:
        departments = Organisation.objects.filter(pk__in=visible)
    return departments.order_by("name", "pk")


# --- filters --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What to analyse. Months are first days of months; ``None`` leaves the range open."""

    flows: tuple  # flow labels
    first_month: datetime.date | None = None
    last_month: datetime.date | None = None
    department_id: int | None = None

    @classmethod
    def everything(cls):
        return cls(flows=tuple(registry.flow_labels()))

    def describe(self):
        """The filters as plain data (for the audit row)."""
        return {
            "flows": list(self.flows),
            "from": f"{self.first_month:%Y-%m}" if self.first_month else None,
            "to": f"{self.last_month:%Y-%m}" if self.last_month else None,
            "department": self.department_id,
        }


def _month_start(month):
    return datetime.datetime.combine(month, datetime.time(), tzinfo=timezone.get_default_timezone())


def _next_month(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _in_months(field_name, filters):
    q = Q()
    if filters.first_month:
        q &= Q(**{f"{field_name}__gte": _month_start(filters.first_month)})
    if filters.last_month:
        q &= Q(**{f"{field_name}__lt": _month_start(_next_month(filters.last_month))})
    return q


# --- the percentile aggregate -----------------------------------------------------------------------

class _PercentileCont:
    """SQLite's stand-in for PostgreSQL's ``percentile_cont``: linear
    interpolation between the two nearest ranks of the sorted values."""

    def __init__(self):
        self.values = []
        self.fraction = None

    def step(self, value, fraction):
        if value is not None:
            self.values.append(value)
            self.fraction = fraction

    def finalize(self):
        if not self.values:
            return None
        values = sorted(self.values)
        position = self.fraction * (len(values) - 1)
        lower, upper = math.floor(position), math.ceil(position)
        return values[lower] + (values[upper] - values[lower]) * (position - lower)


SQLITE_PERCENTILE = "munis_percentile_cont"


class Percentile(Aggregate):
    """``Percentile(expression, 0.9)``: the continuous percentile of a group."""

    name = "Percentile"
    output_field = DurationField()

    def __init__(self, expression, fraction, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="percentile_cont",
                              template=f"%(function)s({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)",
                              **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _PercentileCont)
        return super().as_sql(compiler, connection, function=SQLITE_PERCENTILE,
                              template=f"%(function)s(%(expressions)s, {self.fraction!r})", **extra_context)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"Process analytics needs PostgreSQL or SQLite, not {connection.vendor}.")


# --- the figures ---------------------------------------------------------------------------------------

@dataclass
class Figures:
    started: int = 0
    finished: int = 0
    median: datetime.timedelta | None = None
    p90: datetime.timedelta | None = None
    sla_measured: int = 0
    sla_met: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def sla_compliance(self):
        """Per cent of finished tasks with a deadline that met it; None when no finished task had one."""
        return 100 * self.sla_met / self.sla_measured if self.sla_measured else None

    @property
    def median_hours(self):
        return _hours(self.median)

    @property
    def p90_hours(self):
        return _hours(self.p90)

    def add_counts(self, other):
        """Counts add up across groups; percentiles do not (they come from their own query)."""
        for name in ("started", "finished", "sla_measured", "sla_met", "open", "overdue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _hours(duration):
    return None if duration is None else duration.total_seconds() / 3600


@dataclass
class Department:
    id: int | None
    name: str


@dataclass
class DepartmentFigures:
    department: Department
    figures: Figures


@dataclass
class Step:
    name: str
    title: str
    figures: Figures = field(default_factory=Figures)
    departments: list = field(default_factory=list)  # DepartmentFigures, by department name
    bottleneck: bool = False


@dataclass
class MonthRow:
    """One flow × step × month × department: the export's row."""

    month: str  # YYYY-MM
    step: Step
    department: Department
    figures: Figures


@dataclass
class FlowReport:
    label: str
    title: str
    steps: list  # Step, in flow order, only those with work in the selection
    months: list  # MonthRow, by month, step, department

    @property
    def bottleneck(self):
        return next((step for step in self.steps if step.bottleneck), None)


def _human_nodes(flow_class):
    """The flow's human steps, in the order its diagram reads."""
    return [node for node in bpmn._declared_nodes(flow_class) if node.task_type == HUMAN]


def _human_tasks(*, filters, visible_departments):
    nodes = [node for label in filters.flows for node in _human_nodes(registry.get_flow(label))]
    org_type = organisation_content_type()
    tasks = Task.objects.filter(flow_task_type=HUMAN, flow_task__in=nodes).annotate(
        department=Case(When(owner_permission_content_type=org_type, then=F("owner_permission_obj_pk")),
                        default=None, output_field=CharField()),
    )
    in_department = Q(owner_permission_content_type=org_type)
    if visible_departments is not None:
        tasks = tasks.filter(in_department, owner_permission_obj_pk__in=[str(pk) for pk in visible_departments])
    if filters.department_id is not None:
        tasks = tasks.filter(in_department, owner_permission_obj_pk=str(filters.department_id))
    return tasks


def _month_of(field_name):
    return TruncMonth(field_name, tzinfo=timezone.get_default_timezone())


def _finished_figures(tasks, filters, keys):
    """Volume, percentiles and SLA compliance of the tasks finished in the months, grouped by ``keys``."""
    elapsed = F("finished") - F("created")
    tasks = tasks.filter(_in_months("finished", filters), status=STATUS.DONE, finished__isnull=False)
    if "month" in keys:
        tasks = tasks.annotate(month=_month_of("finished"))
    return (
        tasks.values(*keys)
        .annotate(
            finished_count=Count("id"),
            median=Percentile(elapsed, 0.5),
            p90=Percentile(elapsed, 0.9),
            sla_measured=Count("sla_clock"),
            sla_met=Count("sla_clock", filter=Q(sla_clock__finished_at__lte=F("sla_clock__due_at"))),
        )
        .order_by()
    )


def _started_figures(tasks, filters, now):
    """Tasks created in the months, how many of them are open now and how many of those overdue."""
    is_open = Q(status__in=OPEN_STATUSES)
    overdue = Q(sla_clock__finished_at__isnull=True, sla_clock__due_at__lt=now)  # as the inbox's overdue tab
    return (
        tasks.filter(_in_months("created", filters))
        .annotate(month=_month_of("created"))
        .values("flow_task", "department", "month")
        .annotate(started=Count("id"), open=Count("id", filter=is_open),
                  overdue=Count("id", filter=is_open & overdue))
        .order_by()
    )


def _from_finished(row):
    return Figures(finished=row["finished_count"], median=row["median"], p90=row["p90"],
                   sla_measured=row["sla_measured"], sla_met=row["sla_met"])


def _department_id(value):
    return None if value is None else int(value)


def _month_key(value):
    return f"{timezone.localtime(value, timezone.get_default_timezone()):%Y-%m}" if value else ""


def process_analytics(*, user, filters, now=None):
    """``[FlowReport]`` of the flows in ``filters`` with any work the user may
    see in the selection (empty list: nothing to show). Five queries."""
    now = now or timezone.now()
    tasks = _human_tasks(filters=filters, visible_departments=visible_department_ids(user))
    by_month = {}  # (node, department id, month) -> Figures
    for row in _finished_figures(tasks, filters, ("flow_task", "department", "month")):
        key = (row["flow_task"], _department_id(row["department"]), _month_key(row["month"]))
        by_month[key] = _from_finished(row)
    for row in _started_figures(tasks, filters, now):
        key = (row["flow_task"], _department_id(row["department"]), _month_key(row["month"]))
        figures = by_month.setdefault(key, Figures())
        figures.started, figures.open, figures.overdue = row["started"], row["open"], row["overdue"]
    by_department = {(row["flow_task"], _department_id(row["department"])): row
                     for row in _finished_figures(tasks, filters, ("flow_task", "department"))}
    by_step = {row["flow_task"]: row for row in _finished_figures(tasks, filters, ("flow_task",))}
    departments = _departments({department for _node, department, _month in by_month})
    return [report for label in filters.flows
            if (report := _flow_report(label, by_month, by_department, by_step, departments)) is not None]


def _departments(ids):
    names = dict(Organisation.objects.filter(pk__in=[pk for pk in ids if pk is not None]).values_list("pk", "name"))
    return {pk: Department(pk, names.get(pk, f"#{pk}") if pk is not None else _("No department"))
            for pk in ids}


def _with_percentiles(figures, row):
    if row is not None:
        figures.median, figures.p90 = row["median"], row["p90"]
    return figures


def _flow_report(label, by_month, by_department, by_step, departments):
    flow_class = registry.get_flow(label)
    steps = []
    months = []
    for node in _human_nodes(flow_class):
        keys = sorted((key for key in by_month if key[0] == node),
                      key=lambda key: (key[2], departments[key[1]].name))
        if not keys:
            continue
        step = Step(name=node.name, title=str(node.task_title or node.name))
        per_department = {}
        for key in keys:
            _node, department_id, month = key
            figures = by_month[key]
            months.append(MonthRow(month=month, step=step, department=departments[department_id], figures=figures))
            step.figures.add_counts(figures)
            per_department.setdefault(department_id, Figures()).add_counts(figures)
        _with_percentiles(step.figures, by_step.get(node))
        step.departments = sorted(
            (DepartmentFigures(departments[pk], _with_percentiles(figures, by_department.get((node, pk))))
             for pk, figures in per_department.items()),
            key=lambda entry: entry.department.name,
        )
        steps.append(step)
    if not steps:
        return None
    _mark_bottleneck(steps)
    months.sort(key=lambda row: row.month)
    return FlowReport(label=label, title=flow_title(flow_class), steps=steps, months=months)


def flow_title(flow_class):
    """The flow's name; with its version when it has several (each version is reported on its own)."""
    if len(registry.versions_of(flow_class)) == 1:
        return str(flow_class.process_title)
    return _("%(flow)s, version %(version)d") % {"flow": flow_class.process_title, "version": flow_class.version}


def _mark_bottleneck(steps):
    """The step with the largest backlog; of equal backlogs the one with the longest median time."""
    zero = datetime.timedelta(0)
    candidates = [step for step in steps if step.figures.open]
    if candidates:
        worst = max(candidates, key=lambda step: (step.figures.open, step.figures.median or zero))
        worst.bottleneck = True


# --- export -------------------------------------------------------------------------------------------

CSV_HEADER = ("flow", "flow_title", "step", "step_title", "month", "department_id", "department", "started",
              "finished", "median_hours", "p90_hours", "sla_measured", "sla_met", "sla_compliance_pct",
              "open_now", "overdue_now", "bottleneck")


def _decimal(value, places=2):
    return "" if value is None else f"{value:.{places}f}"


def csv_rows(reports):
    """The header, then one row per flow × step × month × department."""
    yield CSV_HEADER
    for report in reports:
        for row in report.months:
            figures = row.figures
            yield (report.label, report.title, row.step.name, row.step.title, row.month,
                   "" if row.department.id is None else row.department.id, row.department.name,
                   figures.started, figures.finished, _decimal(figures.median_hours), _decimal(figures.p90_hours),
                   figures.sla_measured, figures.sla_met, _decimal(figures.sla_compliance, 1),
                   figures.open, figures.overdue, "yes" if row.step.bottleneck else "")


def analytics_export(*, actor, filters, now=None):
    """The export's rows, with an audit row saying who took which figures."""
    reports = process_analytics(user=actor, filters=filters, now=now)
    rows = list(csv_rows(reports))
    with transaction.atomic():
        audit.record(actor=actor, action="workflows.analytics.export", obj=actor, label=_("Process analytics"),
                     after={**filters.describe(), "rows": len(rows) - 1})
    return rows
