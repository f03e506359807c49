"""The case kernel: what every e-service's case gets from one registration.

A domain app whose model is a case (a permit application, a problem report, a
petition) calls ``register_case`` from its ``AppConfig.ready``. From then on:

- the inbox rows of the case's open tasks follow the case: when a field the
  flow's ``case_lookups`` read changes (its reference, its district), or the
  person behind it renames themselves (workflows.open_tasks);
- when its flow ends, the case's outcome sets how long its documents are kept
  (documents.retention);
- its documents are read and added to by whom the app says (documents.access);
- the selectors below give "my cases", "cases routed to these organisations"
  and the case's timeline without the app touching the engine's tables.

Only the engine reads viewflow's tables: a domain app asks here.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save
from viewflow.workflow.models import Task
from viewflow.workflow.signals import flow_finished
from viewflow.workflow.status import PROCESS, STATUS

from . import open_tasks
from .flows import HUMAN, OPEN_STATUSES, organisation_content_type


@dataclass(frozen=True)
class CaseType:
    model: type
    #: the case's one-to-one field to its viewflow process
    process_field: str
    #: the person whose case it is (applicant, reporter, petitioner), or None
    person_field: str | None
    #: fields of the case the inbox copies onto its open tasks (through the flow's case_lookups)
    inbox_fields: frozenset
    #: (case) -> the outcome that sets its documents' retention, or None while it has none
    outcome: object
    #: (case) -> when the case ended (its decision), or None for now
    ended_at: object
    can_read: object
    can_edit: object
    #: the user's own field on ``person_field`` the inbox shows (a rename updates the rows)
    person_name_field: str = "full_name"
    #: (case) -> the URL of the case's own page, or None when it has none
    page: object = None
    extra: dict = field(default_factory=dict)


_case_types: dict[str, CaseType] = {}


def register_case(model, *, can_read, can_edit=None, process_field="process", person_field=None,
                  inbox_fields=(), outcome=None, ended_at=None, private_while=None, page=None):
    """Make ``model`` a case (see the module's docstring).

    ``can_read(user, case)`` / ``can_edit(user, case)``: who reads the case's
    documents and who adds versions (default: its person). ``outcome(case)``:
    the outcome code once it has one (for the retention rules), else None.
    ``private_while(case)``: true while the case is its person's private work
    (a draft): then only ``can_read`` lets anyone read its documents, auditors
    and administrators included. ``page(case)``: the URL of the case's own page
    (its task pages link to it).
    """
    if person_field is None and can_edit is None:
        raise ValueError("A case without a person needs can_edit.")
    case_type = CaseType(
        model=model, process_field=process_field, person_field=person_field,
        inbox_fields=frozenset(inbox_fields) | {process_field},
        outcome=outcome or (lambda case: None), ended_at=ended_at or (lambda case: None),
        can_read=can_read,
        can_edit=can_edit or (lambda user, case: getattr(case, f"{person_field}_id") == user.pk),
        page=page,
    )
    _case_types[model._meta.label_lower] = case_type
    from documents import access

    access.register_case(model, can_read=case_type.can_read, can_edit=case_type.can_edit)
    if private_while is not None:
        access.register_private(model, while_=private_while)
    uid = f"munis-case-{model._meta.label_lower}"
    post_save.connect(_case_saved, sender=model, dispatch_uid=uid)
    return case_type


def case_type_of(model):
    return _case_types.get(model._meta.label_lower)


def registered_case_types():
    return dict(_case_types)


def case_page_url(case):
    """The URL of a case's own page (``register_case(page=…)``), or None."""
    case_type = case_type_of(type(case)) if case is not None else None
    return case_type.page(case) if case_type is not None and case_type.page is not None else None


# --- the inbox follows the case -------------------------------------------------

def _case_saved(sender, instance, update_fields=None, **kwargs):
    case_type = case_type_of(sender)
    process_id = getattr(instance, f"{case_type.process_field}_id")
    if not process_id or (update_fields is not None and not case_type.inbox_fields & set(update_fields)):
        return
    process_field = sender._meta.get_field(case_type.process_field)
    if process_field.is_cached(instance):
        open_tasks.process_case_changed(process_field.get_cached_value(instance))
    else:
        open_tasks.case_changed([process_id])


def _person_saved(sender, instance, created, update_fields=None, **kwargs):
    """A person renamed: the inbox rows of their open cases show the new name."""
    if created or (update_fields is not None and "full_name" not in update_fields):
        return
    for case_type in _case_types.values():
        if case_type.person_field is None:
            continue
        process_ids = (case_type.model._default_manager
                       .filter(**{case_type.person_field: instance, f"{case_type.process_field}__isnull": False})
                       .values_list(f"{case_type.process_field}_id", flat=True))
        open_tasks.case_changed(process_ids)


# --- the outcome sets the retention ---------------------------------------------------

def _case_of_process(process):
    for case_type in _case_types.values():
        case = case_type.model._default_manager.filter(**{f"{case_type.process_field}_id": process.pk}).first()
        if case is not None:
            return case_type, case
    return None, None


def case_ended(case):
    """The case has its outcome: its documents' retention starts (an automatic
    step that closes a case after its flow has ended calls this itself)."""
    from documents.retention import case_retention_set

    case_type = case_type_of(type(case))
    outcome = case_type.outcome(case)
    if outcome:
        case_retention_set(case=case, outcome=outcome, ended_at=case_type.ended_at(case))


def _flow_finished(sender, process, **kwargs):
    case_type, case = _case_of_process(process)
    if case is not None and case_type.outcome(case):
        case_ended(case)


# --- the case's status and timeline ---------------------------------------------------------

def sync_case_status(case, *, field="status"):
    """Set the case's status to what its flow says for the steps open now
    (``CaseFlow.case_statuses``); unchanged when no declared step is open.
    Call inside the service's transaction, after the flow has moved."""
    case_type = case_type_of(type(case))
    process = getattr(case, case_type.process_field)
    status = process.flow_class.instance.case_status(process)
    if status and status != getattr(case, field):
        setattr(case, field, status)
        case.save(update_fields=[field])
    return getattr(case, field)


def case_timeline(case, *, viewer):
    """Every recorded step of the case, oldest first, each told in words. The
    case's person sees staff actions as the organisation's, not by name."""
    from core.audit import action_label, describe, trail_key_for
    from core.models import AuditEvent

    case_type = case_type_of(type(case))
    person_id = getattr(case, f"{case_type.person_field}_id") if case_type.person_field else None
    staff_view = viewer.pk != person_id
    rows = []
    for event in AuditEvent.objects.for_trail(trail_key_for(case)):
        by = event.actor_label if (staff_view or event.actor_id == person_id) else None
        rows.append({"when": event.created, "what": action_label(event.action), "by": by, "action": event.action,
                     "message": describe(event) if staff_view else None})
    return rows


# --- reads a domain app needs of the engine ---------------------------------------------

def routed_to(organisation_ids, *, process_field="process"):
    """A filter for cases with a task, open or done, routed to one of these
    organisations (``Q`` on the case model, through its process)."""
    routed = Task.objects.filter(
        process_id=OuterRef(f"{process_field}_id"), owner_permission_content_type=organisation_content_type(),
        owner_permission_obj_pk__in=[str(pk) for pk in organisation_ids])
    return Q(Exists(routed))


def cases_routed_to(model, organisation_ids):
    """Cases of ``model`` with a task routed to one of ``organisation_ids``."""
    case_type = case_type_of(model)
    return model._default_manager.filter(routed_to(organisation_ids, process_field=case_type.process_field))


def cases_of(model, *, user):
    """The user's own cases of ``model`` (as its person)."""
    case_type = case_type_of(model)
    if not getattr(user, "is_authenticated", False) or case_type.person_field is None:
        return model._default_manager.none()
    return model._default_manager.filter(**{case_type.person_field: user})


def open_task_held_by(process_id, user):
    """The open human task of this process the user holds (e.g. a correction
    assigned to the applicant), or None."""
    if not process_id:
        return None
    return Task.objects.filter(process_id=process_id, flow_task_type=HUMAN, owner=user,
                               status__in=[STATUS.ASSIGNED, STATUS.STARTED]).first()


def last_task_done_by_others(process_id, user):
    """The most recent human task of the process that someone else completed
    (e.g. the clerk's request the applicant answers), or None."""
    return (Task.objects.filter(process_id=process_id, flow_task_type=HUMAN, status=STATUS.DONE)
            .exclude(owner=user).order_by("-finished", "-id").first())


def step_done_by(process, step):
    """Who completed the step named ``step`` of the process last (e.g. the head who decided, to sign the letter),
    or None if nobody has yet."""
    if process is None:
        return None
    node = getattr(process.flow_class.instance, step)
    task = (Task.objects.filter(process_id=process.pk, flow_task=node, status=STATUS.DONE, owner__isnull=False)
            .select_related("owner").order_by("-finished", "-id").first())
    return task.owner if task else None


@dataclass(frozen=True)
class StepDone:
    """A step of a case as it was done: by whom, when, and what its form recorded (``data``, the comment
    included under ``"comment"``)."""

    step: str
    title: str
    by: object
    finished: object
    data: dict


def steps_done(process, steps):
    """The last completed task of each of ``steps`` (node names) in the process, in the order of ``steps``; a
    step not done yet is left out. One query, whatever the number of steps."""
    if process is None:
        return []
    flow = process.flow_class.instance
    nodes = {getattr(flow, step): step for step in steps}
    last = {}
    for task in (Task.objects.filter(process_id=process.pk, flow_task__in=list(nodes), status=STATUS.DONE)
                 .select_related("owner").order_by("finished", "id")):
        last[nodes[task.flow_task]] = task  # later ones replace earlier: a step done again counts as last done
    return [StepDone(step=step, title=str(task.flow_task.task_title or step), by=task.owner, finished=task.finished,
                     data=dict(task.data or {}))
            for step in steps if (task := last.get(step)) is not None]


def undecided_and_running(process):
    """The process still runs and no step that decides its case (``CaseFlow.decision_steps``) is done:
    what its person may still withdraw."""
    return (process is not None and process.status == PROCESS.NEW
            and not process.flow_class.instance.decided(process))


def open_steps(process_id):
    """Names of the steps open in the process."""
    return {task.flow_task.name for task in Task.objects.filter(process_id=process_id, status__in=OPEN_STATUSES)
            .only("flow_task")}


def connect():
    post_save.connect(_person_saved, sender=get_user_model(), dispatch_uid="munis-case-person")
    flow_finished.connect(_flow_finished, dispatch_uid="munis-case-retention")
