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
  and the case's timeline without the app touching the engine's tables; its
  apps say which events of its trail its person reads there, and in which
  words (``register_case_event``).

Only the engine reads viewflow's tables: a domain app asks here.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_save
from viewflow.workflow.models import Task
from viewflow.workflow.signals import flow_finished
from viewflow.workflow.status import PROCESS, STATUS

from accounts import permissions

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
                  inbox_fields=(), outcome=None, ended_at=None, private_while=None, public_while=None, page=None):
    """Make ``model`` a case (see the module's docstring).

    ``can_read(user, case)`` / ``can_edit(user, case)``: who reads the case's
    documents and who adds versions (default: its person). ``outcome(case)``:
    the outcome code once it has one (for the retention rules), else None.
    ``private_while(case)``: true while the case is its person's private work
    (a draft): then only ``can_read`` lets anyone read its documents, auditors
    and administrators included. ``public_while(case)``: true while the case is on
    public view: then its documents of public confidentiality are read by anyone,
    signed in or not (documents.access.register_public). ``page(case)``: the URL of the case's own page
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
    if public_while is not None:
        access.register_public(model, while_=public_while)
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


# --- the case's status ---------------------------------------------------------------------------------

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


# --- the case's timeline ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseEvent:
    """How the case's person reads one kind of audit event on their timeline."""

    action: str
    #: the event in the person's words: a text, or ``(event) -> text``; a callable may return None to leave
    #: that event out (e.g. a step that says nothing to the person in one of its outcomes)
    words: object
    #: ``(event) -> text`` shown under the words (what was asked, their answer, their reason), or None
    detail: object = None


_case_events: dict[str, CaseEvent] = {}


def register_case_event(action, words, *, detail=None):
    """Show the events of ``action`` to the case's person on its timeline, told in ``words`` (see
    ``CaseEvent``). Every other event of a case's trail is the staff's alone: a task claimed or released, a
    preview viewed, a retention set. Called from the app's ``audit.py``, after the action's registration."""
    from core.audit import registered_actions

    if action not in registered_actions():
        raise ImproperlyConfigured(f"Register the audit action {action!r} before telling it to a case's person.")
    if action in _case_events:
        raise ImproperlyConfigured(f"The audit action {action!r} is already told to a case's person.")
    _case_events[action] = CaseEvent(action=action, words=words, detail=detail)


def reads_full_trail(viewer, case):
    """Whether ``viewer`` reads the case's whole trail on its timeline: staff (who work a queue, auditors,
    administrators) do, unless it is their own case; its person, and anyone it is shared with, read what
    happened to it (``register_case_event``)."""
    case_type = case_type_of(type(case))
    person_id = getattr(case, f"{case_type.person_field}_id") if case_type.person_field else None
    if viewer.pk == person_id:
        return False
    return permissions.is_case_worker(viewer) or permissions.can_read_all_cases(viewer)


@dataclass(frozen=True)
class TimelineEntry:
    when: object
    #: what happened, in words
    what: str
    action: str
    #: who did it (the staff's timeline), else None
    by: str | None = None
    #: the event told in a sentence (the staff's timeline), else None
    message: str | None = None
    #: what was written with it: a request, an answer, a reason
    detail: str | None = None


def _told(case_event, event):
    words = case_event.words(event) if callable(case_event.words) else case_event.words
    if not words:
        return None
    detail = case_event.detail(event) if case_event.detail else None
    return TimelineEntry(when=event.created, what=str(words), action=event.action, detail=detail or None)


def _written(event):
    """What someone wrote with the event (a comment, a reason), for the staff's timeline."""
    after = event.after if isinstance(event.after, dict) else {}
    text = after.get("comment") or after.get("reason")
    return text if isinstance(text, str) and text.strip() else None


def case_timeline(case, *, viewer, object_labels=None):
    """The case's history, oldest first, in the order it was recorded (the audit trail's). Staff read every
    recorded step (``reads_full_trail``): what, who, the event in a sentence and what was written with it;
    ``object_labels``, a function called only for them, gives ``{(object type, object id): label}`` naming the
    objects of its events as the page does today, in the reader's language (a document by its translated name,
    not the title it was uploaded under).
    Everyone else reads only what happened to the case, in the words its apps chose (``register_case_event``),
    with staff acting as the organisation, not by name."""
    from core.audit import action_label, describe, trail_key_for
    from core.models import AuditEvent

    events = AuditEvent.objects.for_trail(trail_key_for(case))
    if reads_full_trail(viewer, case):
        labels = object_labels() if object_labels else {}
        return [TimelineEntry(when=event.created, what=str(action_label(event.action)), action=event.action,
                              by=event.actor_label, detail=_written(event),
                              message=describe(event, object_label=labels.get((event.object_type, event.object_id))))
                for event in events]
    entries = (_told(_case_events[event.action], event) for event in events if event.action in _case_events)
    return [entry for entry in entries if entry is not None]


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


@dataclass(frozen=True)
class PersonRequest:
    """One time a case went to its person to act on (a correction): the request and what came of it."""

    #: the flow step the person was given
    step: str
    #: the task's status: open (NEW, ASSIGNED, STARTED), DONE or CANCELED
    status: str
    #: when it reached the person
    opened_at: object
    #: what the staff step done just before it wrote (the request), when, by whom and for which organisation
    request: str
    asked_at: object
    asked_by: object
    asked_for: object
    #: what the person wrote when they finished it, and when; the task's data (``expired``, ...)
    answer: str
    answered_at: object
    data: dict

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_done(self):
        """Finished: by the person, or by the system when its time ran out (an expired step says so in ``data``)."""
        return self.status == STATUS.DONE


def _routed_to_organisation(task):
    """The id of the organisation whose queue ``task`` was routed to, or None."""
    if (task is None or not (task.owner_permission_obj_pk or "").isdigit()
            or task.owner_permission_content_type_id != organisation_content_type().pk):
        return None
    return int(task.owner_permission_obj_pk)


def requests_to_person(case):
    """Every time the case went to its person to act on, oldest first: the steps its flow gives the person
    themselves (assigned to them, routed to no queue: a correction), each with the request that sent it (the
    comment of the staff step done last before it) and the person's answer (the comment they finished it with)."""
    from accounts.models import Organisation

    case_type = case_type_of(type(case))
    process_id = getattr(case, f"{case_type.process_field}_id")
    person_id = getattr(case, f"{case_type.person_field}_id") if case_type.person_field else None
    if not process_id or person_id is None:
        return []
    tasks = list(Task.objects.filter(process_id=process_id, flow_task_type=HUMAN).select_related("owner")
                 .order_by("created", "id"))
    theirs = [task for task in tasks if task.owner_id == person_id and not task.owner_permission]
    asking = {}
    for task in theirs:
        done_before = [other for other in tasks if other.status == STATUS.DONE and other.owner_id != person_id
                       and other.finished and other.finished <= task.created]
        asking[task.pk] = max(done_before, key=lambda other: (other.finished, other.pk), default=None)
    organisations = Organisation.objects.in_bulk({_routed_to_organisation(asked) for asked in asking.values()} - {None})
    requests = []
    for task in theirs:
        asked = asking[task.pk]
        done = task.status == STATUS.DONE
        requests.append(PersonRequest(
            step=task.flow_task.name, status=task.status, opened_at=task.created,
            request=((asked.data or {}).get("comment") or "") if asked else "",
            asked_at=asked.finished if asked else task.created, asked_by=asked.owner if asked else None,
            asked_for=organisations.get(_routed_to_organisation(asked)),
            answer=((task.data or {}).get("comment") or "") if done else "",
            answered_at=task.finished if done else None, data=dict(task.data or {})))
    return requests




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


def step_done_by(process, step):
    """Who completed the step named ``step`` of the process last (e.g. the head who decided, to sign the letter),
    or None if nobody has yet (``steps_done``)."""
    done = steps_done(process, [step])
    return done[0].by if done else None


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
