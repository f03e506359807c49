"""The audit log's public interface: register actions, record events.

Each app registers its actions in ``<app>/audit.py`` (loaded from
``AppConfig.ready``). ``record`` refuses an unregistered action and must run
inside the calling service's transaction, so the event commits or rolls back
with the change it describes.
"""

import contextvars
import json
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.sql import InsertQuery
from django.utils.translation import gettext as _

from .context import current_ip, current_request_id
from .models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass(frozen=True)
class AuditAction:
    """A kind of event: ``label`` names it in lists; ``message`` tells one event
    in words (``describe``), a %-format with ``actor``, ``object`` and any
    ``before.<key>`` / ``after.<key>`` of the event's recorded values."""

    name: str
    label: str
    message: str


_registry: dict[str, AuditAction] = {}


class UnregisteredAction(LookupError):
    pass


class DuplicateAction(ImproperlyConfigured):
    pass


def register(name, label, *, message):
    """Register an action once, from its app's ``audit.py``; a second
    registration of the same name is a programming error (two apps would
    otherwise tell the same event in different words)."""
    if name in _registry:
        raise DuplicateAction(f"Audit action {name!r} is already registered.")
    _registry[name] = AuditAction(name=name, label=label, message=message)


def action_label(name):
    action = _registry.get(name)
    return action.label if action else name


def registered_actions():
    return dict(_registry)


class _EventWords(Mapping):
    """What a message template may name, read from one event; a value the
    event did not record reads as a dash rather than breaking the page."""

    def __init__(self, event, object_label=None):
        self.event = event
        self.object_label = object_label or event.object_label

    def __getitem__(self, key):
        if key == "actor":
            return self.event.actor_label
        if key == "object":
            return self.object_label
        part, _dot, field = key.partition(".")
        values = {"before": self.event.before, "after": self.event.after}.get(part) or {}
        value = values.get(field) if isinstance(values, dict) else None
        return "—" if value in (None, "", [], {}) else value

    def __iter__(self):
        return iter(("actor", "object"))

    def __len__(self):
        return 2


def describe(event, *, object_label=None):
    """One event in words, in the active language: its action's message, or
    for an action no longer registered (an old trail) its name. ``object_label``
    names its object instead of the label the event recorded (``relabel``)."""
    action = _registry.get(event.action)
    if action is None:
        return _("%(actor)s: %(action)s on %(object)s") % {
            "actor": event.actor_label, "action": event.action, "object": object_label or event.object_label}
    return str(action.message) % _EventWords(event, object_label)


@dataclass(frozen=True)
class SubjectLabel:
    """How the audit pages name the subject of a trail today (a case by its reference), and the labels its
    events were recorded under that they no longer show (``aliases``: a draft's number, in every language)."""

    label: str
    aliases: tuple = ()


_subject_labels = {}


def register_subject_labels(object_type, labels):
    """Name the subjects of trails of ``object_type`` (``"app_label.model_name"``) on the audit pages as they
    are today, not by the label their first events recorded: ``labels(object_ids)`` returns ``{object id:
    SubjectLabel}`` for the ids given, many at once. Registered from the app's ``audit.py``."""
    _subject_labels[object_type] = labels


def subject_labels(trail_keys):
    """``{trail key: SubjectLabel}`` of the trails whose subject's type registered its labels."""
    wanted = {}
    for key in trail_keys:
        object_type, _colon, object_id = key.rpartition(":")
        if object_type in _subject_labels:
            wanted.setdefault(object_type, {})[object_id] = key
    found = {}
    for object_type, keys in wanted.items():
        for object_id, label in _subject_labels[object_type](sorted(keys)).items():
            found[keys[object_id]] = label
    return found


def relabel(label, subject):
    """An event's recorded ``label`` with the subject named as it is today: an alias of the subject, alone or
    at the start (``"Draft #12 — Site plan v1"``), becomes the subject's label."""
    if subject is not None:
        for alias in subject.aliases:
            if label == alias or label.startswith(f"{alias} "):
                return subject.label + label[len(alias):]
    return label


def trail_key_for(obj):
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def _jsonable(value):
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder))


_HEAD = AuditChainHead._meta.db_table


def _locked_chain_head_hash(cursor):
    """Lock the chain head row until commit and return the last hash. Plain
    SQL: this runs once per audited transaction, on the hottest path."""
    for _attempt in range(2):
        # FOR UPDATE is ignored by SQLite, whose writers are serialised anyway.
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        cursor.execute(f"SELECT last_hash FROM {_HEAD} WHERE id = 1{lock}")
        row = cursor.fetchone()
        if row:
            return row[0] or GENESIS_HASH
        # Normally created by a migration; a flushed database needs it again.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
    raise RuntimeError("The audit chain head row is missing.")


_batch = contextvars.ContextVar("munis_audit_batch", default=None)


def record(*, actor, action, obj, before=None, after=None, trail=None, label=None):
    """Append one event to the hash chain. Call from a service, inside its
    ``transaction.atomic()`` block. Inside ``audit.batch()`` the event is
    appended when the batch ends; ``label`` may then be a callable, read at
    that moment (so a case's label shows the reference it got meanwhile)."""
    if action not in _registry:
        raise UnregisteredAction(f"Audit action {action!r} is not registered.")
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record must run inside the service's transaction.")
    User = get_user_model()
    actor = actor if isinstance(actor, User) else None
    event = AuditEvent(
        actor=actor,
        actor_label=(actor.get_full_name() or actor.email) if actor else _("system"),
        action=action,
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
        object_id=str(obj.pk),
        trail_key=trail_key_for(trail) if trail is not None else trail_key_for(obj),
        before=_jsonable(before),
        after=_jsonable(after),
        request_id=current_request_id(),
        ip=current_ip(),
    )
    pending = _batch.get()
    if pending is None:
        _append([(event, obj, label)])
    else:
        pending.append((event, obj, label))
    return event


@contextmanager
def batch():
    """Collect a service's events and append them together at the end of its
    transaction: one lock, one insert, one update, and the chain lock held for
    a moment instead of for the whole service. Nested batches join the outer one."""
    if _batch.get() is not None:
        yield
        return
    pending = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
    if pending:
        if not connection.in_atomic_block:
            raise RuntimeError("audit.batch must run inside the service's transaction.")
        _append(pending)


def batch_mark():
    """Where the current batch stands (None outside a batch); see ``batch_discard_after``."""
    pending = _batch.get()
    return None if pending is None else len(pending)


def batch_discard_after(mark):
    """Drop the events recorded in this batch since ``mark``: the work they
    describe was rolled back to a savepoint (e.g. a failed automatic step)."""
    pending = _batch.get()
    if pending is not None and mark is not None:
        del pending[mark:]


def _append(pending):
    with connection.cursor() as cursor:
        prev = _locked_chain_head_hash(cursor)
    events = []
    for event, obj, label in pending:
        label = label() if callable(label) else label
        event.object_label = str(label or obj)[:300]
        event.prev_hash = prev
        event.hash = prev = event.compute_hash()
        events.append(event)
    _insert_moving_head(events, prev)


def _insert_moving_head(events, last_hash):
    """Insert ``events`` and point the chain head at the last of them. On PostgreSQL it is one
    statement (the insert inside a data-modifying WITH), one round trip fewer on every audited
    write; elsewhere an insert, then an update."""
    if connection.vendor != "postgresql":
        AuditEvent.objects.bulk_create(events)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET last_id = %s, last_hash = %s WHERE id = 1", [events[-1].pk, last_hash])
        return
    query = InsertQuery(AuditEvent)
    query.insert_values([field for field in AuditEvent._meta.concrete_fields if not field.primary_key], events)
    ((insert, params),) = query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH inserted AS ({insert} RETURNING id) "
            f"UPDATE {_HEAD} SET last_id = (SELECT max(id) FROM inserted), last_hash = %s WHERE id = 1 "
            f"RETURNING (SELECT array_agg(id ORDER BY id) FROM inserted)", [*params, last_hash])
        ids = cursor.fetchone()[0]
    for event, pk in zip(events, ids, strict=True):  # identities are handed out in the rows' order
        event.pk = pk
        event._state.adding, event._state.db = False, connection.alias


@dataclass
class ChainReport:
    count: int
    first_bad_id: int | None = None
    reason: str = ""

    @property
    def ok(self):
        return self.first_bad_id is None


def verify_chain(batch_size=2000):
    """Recompute every hash in order. Returns the first broken row, if any."""
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    with transaction.atomic():
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
            count += 1
            if event.prev_hash != prev:
                return ChainReport(count, event.pk, "previous hash does not match the row before")
            if event.compute_hash() != event.hash:
                return ChainReport(count, event.pk, "content does not match its hash")
            prev = event.hash
            last_id = event.pk
        head = AuditChainHead.objects.filter(pk=1).first()
        if head and (head.last_id != last_id or head.last_hash != prev):
            return ChainReport(count, head.last_id or last_id, "rows after this one are missing")
    return ChainReport(count)

