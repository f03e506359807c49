"""Flow versions at deployment time, and moving running cases between them.

``migrate`` records each flow's graph (its steps, their kinds and the arrows
between them) the first time it sees it. If a later deployment finds a graph
changed while cases still run on it, it stops with an error: the change must
be a new version (``version``/``supersedes`` on the flow class), so that
cases already running finish on the path they started on.

``migrate_cases`` moves the open cases of one version onto another, when a
change must apply to them too (a corrected step, a new legal requirement). It
is explicit, all-or-nothing and audited per case.
"""

import hashlib

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from core import audit
from core.errors import ValidationFailed

from . import open_tasks
from .flows import case_of
from .registry import all_flows, label_of, versions_of

OPEN_PROCESS = (PROCESS.NEW,)


def graph_of(flow_class):
    """``[(step, kind, (next steps…)), …]``: what a running case depends on."""
    rows = []
    for node in flow_class.instance.nodes():
        targets = sorted({edge.dst.name for edge in node._outgoing()})
        rows.append((node.name, type(node).__name__, tuple(targets)))
    return sorted(rows)


def fingerprint(flow_class):
    return hashlib.sha256(repr(graph_of(flow_class)).encode()).hexdigest()


def open_processes(flow_class):
    return Process.objects.filter(flow_class=flow_class, status__in=OPEN_PROCESS)


def deploy_flows(now=None):
    """Record new flow versions and refuse a changed graph with open cases.
    Returns the labels recorded or updated."""
    from .models import FlowVersion

    now = now or timezone.now()
    known = {row.label: row for row in FlowVersion.objects.all()}
    changed = []
    for label, flow_class in all_flows().items():
        current = fingerprint(flow_class)
        row = known.get(label)
        if row is None:
            FlowVersion.objects.create(label=label, version=flow_class.version, fingerprint=current, deployed_at=now)
            changed.append(label)
        elif row.fingerprint != current:
            running = open_processes(flow_class).count()
            if running:
                raise ImproperlyConfigured(
                    f"The flow {label} (version {row.version}) has changed, but {running} case(s) still run on it. "
                    f"Keep {flow_class.__qualname__} as it was and declare the change as a new class with "
                    f"version = {flow_class.version + 1} and supersedes = {flow_class.__qualname__}; "
                    f"or move the cases first with manage.py migrate_cases."
                )
            row.fingerprint, row.version, row.changed_at = current, flow_class.version, now
            row.save(update_fields=["fingerprint", "version", "changed_at"])
            changed.append(label)
    return changed


def deploy_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    if app_config is None or app_config.label != "workflows":
        return
    try:
        if apps is not None:
            apps.get_model("workflows", "FlowVersion")
    except LookupError:
        return  # migrated back to before flow versions: there is nothing to record them in
    deploy_flows()


def _node(flow_class, name):
    node = getattr(flow_class.instance, name, None)
    return node if node is not None and hasattr(node, "_outgoing") else None


def plan_migration(source, target, *, step_map=None, processes=None):
    """``[(process, [(task, new node)…])…]`` for moving the open cases of
    ``source`` onto ``target``; ValidationFailed naming every case that can't move."""
    if target not in versions_of(source) or target is source:
        raise ValidationFailed(_("%(target)s is not another version of %(source)s.")
                               % {"target": label_of(target), "source": label_of(source)})
    step_map = step_map or {}
    plan, problems = [], []
    for process in (processes if processes is not None else open_processes(source).order_by("pk")):
        moves = []
        for task in Task.objects.filter(process=process).order_by("pk"):
            name = step_map.get(task.flow_task.name, task.flow_task.name)
            node = _node(target, name)
            is_open = task.finished is None
            if node is None or type(node) is not type(task.flow_task):
                if is_open:
                    problems.append(_("%(case)s: its open step “%(step)s” has no counterpart in %(target)s.")
                                    % {"case": case_of(task), "step": task.flow_task.name,
                                       "target": label_of(target)})
                continue  # a finished step of the old path stays pointed at the old version
            moves.append((task, node))
        plan.append((process, moves))
    if problems:
        raise ValidationFailed(" ".join(problems), code="flow_migration_blocked")
    return plan


def migrate_cases(*, source, target, step_map=None, actor=None, references=None):
    """Move the open cases of flow version ``source`` onto ``target``. All or
    nothing; one audit event per case. Returns the number of cases moved."""
    with transaction.atomic():
        processes = open_processes(source).select_for_update().order_by("pk")
        if references is not None:
            processes = [p for p in processes if str(p.artifact) in set(references)]
        plan = plan_migration(source, target, step_map=step_map, processes=list(processes))
        for process, moves in plan:
            before = {"flow": label_of(source), "version": source.version}
            for task, node in moves:
                Task.objects.filter(pk=task.pk).update(flow_task=node)
            Process.objects.filter(pk=process.pk).update(flow_class=target)
            open_tasks.case_changed([process.pk])  # the new version may read its case differently
            audit.record(actor=actor, action="workflows.process.migrate", obj=process, before=before,
                         after={"flow": label_of(target), "version": target.version,
                                "steps": sorted({node.name for _task, node in moves})},
                         trail=process.artifact or process, label=str(process.artifact or process))
    return len(plan)
