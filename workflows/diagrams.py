"""Permission-scoped reads behind the process diagram pages: who may look,
how many tasks wait at each step, and where one case stands."""

from django.db.models import Count, Q
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts import permissions

from . import bpmn, registry

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def can_see_diagrams(user):
    """Staff who work, supervise, audit or administer cases."""
    return permissions.is_case_worker(user) or permissions.can_read_audit(user) or permissions.can_read_all_cases(user)


def open_tasks_by_flow():
    """``{flow label: number of open tasks}`` for every flow, zero included."""
    flows = registry.all_flows()
    counts = dict(
        Task.objects.filter(status__in=OPEN, process__flow_class__in=list(flows.values()))
        .values_list("process__flow_class").annotate(n=Count("id")).values_list("process__flow_class", "n")
    )
    return {label: counts.get(flow_class, 0) for label, flow_class in flows.items()}


def open_tasks_by_node(*, flow_class):
    """``{node name: number of open tasks}`` across every case of the flow.

    Counts only, no case: every diagram reader may see where work piles up."""
    rows = (
        Task.objects.filter(status__in=OPEN, process__flow_class=flow_class)
        .values("flow_task").annotate(n=Count("id")).values_list("flow_task", "n")
    )
    counts = {}
    for node, n in rows:
        if node is not None and node.bpmn_element:
            counts[node.name] = counts.get(node.name, 0) + n
    return counts


def process_visible_to(*, user, pk, flow_class):
    """The process of ``flow_class`` with ``pk`` if the user may see that case:
    auditors and administrators always; staff when some task of it is theirs
    or in their department (as ``selectors.task_visible_to``)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    process = Process.objects.filter(pk=pk, flow_class=flow_class).first()
    if process is None:
        return None
    if permissions.can_read_all_cases(user):
        return process
    if not permissions.is_case_worker(user):
        return None
    departments = [str(pk) for pk in permissions.work_organisation_ids(user)]
    visible = Task.objects.filter(process=process, flow_task_type="HUMAN").filter(
        Q(owner=user) | Q(owner_permission_obj_pk__in=departments)
    )
    return process if visible.exists() else None


def process_path(*, process):
    """``(open node names, completed node names)`` of one case, in flow order."""
    rows = Task.objects.filter(process=process).values_list("flow_task", "status").order_by("created", "id")
    current, done = [], []
    for node, status in rows:
        if node is None or not node.bpmn_element:
            continue
        if status in OPEN and node.name not in current:
            current.append(node.name)
        elif status == STATUS.DONE and node.name not in done:
            done.append(node.name)
    return current, [name for name in done if name not in current]


def element_ids(*, flow_class):
    """``{node name: BPMN element id}`` of the exported diagram."""
    return {node.name: bpmn.node_element_id(node) for node in flow_class.instance.nodes() if node.bpmn_element}
