"""Keeps ``OpenTask`` (the inbox's rows) in step with the work waiting.

Every save of a human task updates its row (status, holder, department) or,
once the task is done or cancelled, deletes it; a new task gets its row with
its SLA due date and the case fields its flow declares in ``case_lookups``
(reference, applicant, submission date, service, district). A case whose fields change after
its tasks opened (the reference number is given once the flow has started;
an applicant renames themselves) calls ``case_changed``.

All of it runs inside the transaction that changes the task, so a row is
never ahead of or behind what committed. ``rebuild`` recomputes the whole
table from viewflow's tasks (``manage.py rebuild_inbox``): after a bulk load
or restore that bypassed the ORM.
"""

from django.db import transaction
from django.db.models.constants import LOOKUP_SEP
from django.db.models.signals import post_save
from viewflow.workflow.models import Process, Task

from .clocks import started_clock
from .flows import HUMAN, OPEN_STATUSES, SUPERVISOR_TASK, organisation_content_type
from .models import OpenTask, TaskClock

CASE_KEYS = ("reference", "applicant", "submitted", "service", "district")
REBUILD_BATCH = 2000


def _task_fields(task):
    """The row's columns that come from the task itself."""
    department = None
    if task.owner_permission_obj_pk and task.owner_permission_content_type_id == organisation_content_type().pk:
        department = int(task.owner_permission_obj_pk)
    return {"department_id": department, "heads_only": task.owner_permission == SUPERVISOR_TASK,
            "status": task.status, "owner_id": task.owner_id}


def _flow_lookups(flow_class):
    lookups = getattr(flow_class, "case_lookups", None) or {}
    return {key: lookups[key] for key in CASE_KEYS if key in lookups}


def _case_fields(values):
    """The row's columns that come from the case, from ``{key: value}``."""
    words = [str(values[key]) for key in ("reference", "applicant") if values.get(key)]
    return {"reference": values.get("reference") or "", "applicant": values.get("applicant") or "",
            "submitted_at": values.get("submitted"), "service": values.get("service") or "",
            "district_id": values.get("district"), "search": " ".join(words).upper()}


def _cases_of(flow_class, process_ids):
    """``{process id: case columns}`` for processes of one flow, in one query."""
    lookups = _flow_lookups(flow_class)
    if not lookups:
        return {pk: _case_fields({}) for pk in process_ids}
    rows = Process.objects.filter(pk__in=process_ids).values_list("pk", *lookups.values())
    return {row[0]: _case_fields(dict(zip(lookups, row[1:], strict=True))) for row in rows}


def _case_in_memory(process, lookups):
    """The case columns read from objects already loaded with ``process`` (the
    case that just started it or was just saved), or None when any step of a
    lookup would need the database. Same values as ``_cases_of`` reads."""
    values = {}
    for key, lookup in lookups.items():
        obj, (*path, last) = process, lookup.split(LOOKUP_SEP)
        for name in path:
            field = obj._meta.get_field(name)
            if not field.is_relation or not field.is_cached(obj):
                return None
            obj = field.get_cached_value(obj)
            if obj is None:
                break
        if obj is None:
            values[key] = None
            continue
        field = obj._meta.get_field(last)
        if not field.concrete:
            return None
        values[key] = getattr(obj, field.attname)
    return _case_fields(values)


def _case_of_task(task):
    flow_class = task.flow_task.flow_class
    process_field = Task._meta.get_field("process")
    case = None
    if process_field.is_cached(task):
        case = _case_in_memory(process_field.get_cached_value(task), _flow_lookups(flow_class))
    if case is None:
        case = _cases_of(flow_class, [task.process_id]).get(task.process_id) or _case_fields({})
    return case


def _open_clock_due(task_ids):
    return dict(TaskClock.objects.filter(task_id__in=task_ids, finished_at__isnull=True)
                .values_list("task_id", "due_at"))


TASK_FIELDS = {"status", "owner", "owner_permission", "owner_permission_obj_pk", "owner_permission_content_type"}


def task_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if instance.flow_task_type != HUMAN or instance.pk is None:
        return
    if update_fields is not None and not TASK_FIELDS & set(update_fields):
        return  # e.g. only the time it was assigned
    if instance.status not in OPEN_STATUSES:
        OpenTask.objects.filter(task_id=instance.pk).delete()
        return
    fields = _task_fields(instance)
    if not created and OpenTask.objects.filter(task_id=instance.pk).update(**fields):
        return
    case = _case_of_task(instance)
    clock = started_clock(instance)
    OpenTask.objects.create(task_id=instance.pk, process_id=instance.process_id, created=instance.created,
                            due_at=clock.due_at if clock else None, **fields, **case)


def clock_saved(sender, instance, created=False, **kwargs):
    if created:
        return  # a new task's clock: its row is written next, with the due date (task_saved)
    due = None if instance.finished_at else instance.due_at
    OpenTask.objects.filter(task_id=instance.task_id).update(due_at=due)


def process_case_changed(process):
    """``case_changed`` for one process whose case was just saved: the case
    columns come from the objects in memory when they are all loaded."""
    case = _case_in_memory(process, _flow_lookups(process.flow_class))
    if case is None:
        case_changed([process.pk], flow_class=process.flow_class)
    else:
        OpenTask.objects.filter(process_id=process.pk).update(**case)


def case_changed(process_ids, *, flow_class=None):
    """Copy the case fields again onto the open tasks of these processes (of
    ``flow_class``, when the caller knows it: one query less)."""
    process_ids = set(process_ids) - {None}
    if flow_class is not None:
        flows = dict.fromkeys(process_ids, flow_class)
    else:
        waiting = OpenTask.objects.filter(process_id__in=process_ids).values("process_id")
        flows = dict(Process.objects.filter(pk__in=waiting).values_list("pk", "flow_class"))
    for flow_class in set(flows.values()):
        ids = [pk for pk, flow in flows.items() if flow is flow_class]
        for process_id, case in _cases_of(flow_class, ids).items():
            OpenTask.objects.filter(process_id=process_id).update(**case)


def _expected_batches():
    """The rows the table should hold, from viewflow's open human tasks, in
    batches (a few queries each, whatever the number of tasks)."""
    open_tasks = (Task.objects.filter(flow_task_type=HUMAN, status__in=OPEN_STATUSES)
                  .select_related("process").order_by("pk"))
    last = 0
    while batch := list(open_tasks.filter(pk__gt=last)[:REBUILD_BATCH]):
        last = batch[-1].pk
        due = _open_clock_due([task.pk for task in batch])
        cases = {}
        for flow_class in {task.process.flow_class for task in batch}:
            cases.update(_cases_of(flow_class, [task.process_id for task in batch
                                                 if task.process.flow_class is flow_class]))
        yield [OpenTask(task_id=task.pk, process_id=task.process_id, created=task.created, due_at=due.get(task.pk),
                        **_task_fields(task), **(cases.get(task.process_id) or _case_fields({})))
               for task in batch]


COMPARED = ("task_id", "process_id", "department_id", "heads_only", "status", "owner_id", "created", "due_at",
            "reference", "applicant", "submitted_at", "service", "district_id", "search")


def out_of_step():
    """Task ids whose row is missing, stale or left over."""
    def key(row):
        return tuple(getattr(row, name) for name in COMPARED)

    expected = {key(row) for batch in _expected_batches() for row in batch}
    held = {key(row) for row in OpenTask.objects.order_by("pk").iterator(chunk_size=REBUILD_BATCH)}
    return sorted({row[0] for row in expected ^ held})


@transaction.atomic
def rebuild():
    """Recompute every row from viewflow's open human tasks; returns how many."""
    OpenTask.objects.all().delete()
    total = 0
    for batch in _expected_batches():
        OpenTask.objects.bulk_create(batch)
        total += len(batch)
    return total


def connect():
    """After the clocks' own handlers (workflows.apps): a new task's clock has
    started, so its row is written once, due date included."""
    post_save.connect(task_saved, sender=Task, dispatch_uid="munis-open-task")
    post_save.connect(clock_saved, sender=TaskClock, dispatch_uid="munis-open-task-clock")

