"""Write paths of the outbox: put a message in, deliver what is due, retry, forget what was sent long ago."""

import datetime
import logging
from collections import Counter
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import audit
from core.errors import InvalidTransition, PermissionDenied
from core.models import OutboxMessage

from .channels import PermanentError, TransientError, channel_named
from .publisher import publisher

log = logging.getLogger("core.outbox")

#: pauses double from MUNIS_MAIL_RETRY_SECONDS up to an hour; the 24th failed try gives up (about 17 hours
#: after the first at the default 30 s)
MAX_ATTEMPTS = 24
MAX_PAUSE_SECONDS = 3600
#: without row locks (SQLite) a sender first moves its message this far ahead, so no other sender takes it while
#: it is being sent; it is what a sender that died mid-send costs
CLAIM_LEASE = datetime.timedelta(minutes=10)
#: a run stops using a channel after this many transient failures in a row (a down server would otherwise hold
#: the timers for a connection timeout per message)
FAILURES_BEFORE_PAUSE = 3

Status = OutboxMessage.Status


def retry_pause(attempts):
    """Seconds to wait after the ``attempts``-th failed try."""
    return min(settings.MUNIS_MAIL_RETRY_SECONDS * 2 ** (attempts - 1), MAX_PAUSE_SECONDS)


def outbox_put(*, channel, address, body, subject="", recipient=None, language="", about=None):
    """Write one message for delivery, in the caller's transaction: it commits or rolls back with the change it
    reports. With a job queue its workers are told once it has committed; the timers deliver it in any case."""
    channel_named(channel)
    if not address:
        raise ValueError("An outbox message needs an address.")
    message = OutboxMessage(channel=channel, address=address, subject=subject, body=body, recipient=recipient,
                            language=language or "")
    if about is not None:
        message.object_type = f"{about._meta.app_label}.{about._meta.model_name}"
        message.object_id = str(about.pk)
        message.object_label = str(about)[:300]
    message.save(force_insert=True)
    _tell_workers_on_commit(message)
    return message


def _tell_workers_on_commit(message):
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(partial(publisher.submit, message.pk), robust=True)


class DeliveryRun(Counter):
    """How many messages a run sent, will retry, or gave up on (``failed``: refused for good or too many tries)."""

    def __str__(self):
        return f"sent {self['sent']}, retrying {self['retrying']}, failed {self['failed']}"


def outbox_deliver_due(*, now=None, batch=200):
    """Try every message whose time has come (oldest first, at most ``batch``). Safe to run in several processes
    at once: each message is sent by one of them."""
    now = now or timezone.now()
    run = DeliveryRun()
    failing = Counter()
    due = (OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
           .order_by("next_attempt_at", "pk").values_list("pk", "channel")[:batch])
    for message_id, channel in list(due):
        if failing[channel] >= FAILURES_BEFORE_PAUSE:
            continue
        outcome = outbox_deliver(message_id=message_id, now=now)
        if outcome:
            run[outcome] += 1
            failing[channel] = failing[channel] + 1 if outcome == "retrying" else 0
    if run:
        log.info("Outbox: %s", run)
    return run


def outbox_deliver(*, message_id, now=None):
    """Try one message if it is still pending and due; returns ``sent``, ``retrying``, ``failed`` or None when
    there was nothing to do (sent already, not due, or another sender has it right now)."""
    now = now or timezone.now()
    due = OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING, next_attempt_at__lte=now)
    if connection.features.has_select_for_update_skip_locked:
        # The row stays locked while it is sent: another sender skips it, and a retry waits for the outcome.
        with transaction.atomic():
            message = due.select_for_update(skip_locked=True).first()
            return message and _attempt(message, now)
    # SQLite locks the whole database for a writing transaction, which must not wait on a mail server: the
    # message is claimed by a conditional update first, then sent outside any transaction.
    if not due.update(next_attempt_at=now + CLAIM_LEASE):
        return None
    return _attempt(OutboxMessage.objects.get(pk=message_id), now)


def _attempt(message, now):
    message.attempts += 1
    try:
        channel_named(message.channel).send(message)
    except PermanentError as exc:
        return _give_up(message, Status.FAILED, exc)
    except (TransientError, LookupError) as exc:
        return _retry_later(message, now, exc)
    except Exception as exc:  # noqa: BLE001 - a channel's bug holds its message back instead of losing it
        log.exception("Channel %r failed on outbox message %s.", message.channel, message.pk)
        return _retry_later(message, now, exc)
    message.status, message.sent_at, message.last_error = Status.SENT, now, ""
    message.save(update_fields=["status", "sent_at", "last_error", "attempts"])
    return "sent"


def _retry_later(message, now, exc):
    if message.attempts >= MAX_ATTEMPTS:
        return _give_up(message, Status.GIVEN_UP, exc)
    message.last_error = _short(exc)
    message.next_attempt_at = now + datetime.timedelta(seconds=retry_pause(message.attempts))
    message.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    log.warning("Outbox message %s (%s to %s) not delivered, try %s: %s", message.pk, message.channel,
                message.address, message.attempts, message.last_error)
    return "retrying"


def _give_up(message, status, exc):
    message.status, message.last_error = status, _short(exc)
    with transaction.atomic():
        message.save(update_fields=["status", "attempts", "last_error"])
        audit.record(actor=None, action="core.outbox.give_up", obj=message,
                     after={"status": status, "attempts": message.attempts, "error": message.last_error,
                            "channel": message.channel, "address": message.address, "about": message.object_label})
    log.error("Outbox message %s (%s to %s, %r) was given up after %s tries: %s", message.pk, message.channel,
              message.address, message.subject, message.attempts, message.last_error)
    return "failed"


def _short(exc):
    return (str(exc) or exc.__class__.__name__)[:500]


def outbox_retry(*, actor, message):
    """Try a message again now: one waiting for its next try, or one that failed or was given up (with a fresh
    round of tries). An administrator's action; a message that went out is not sent twice."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only administrators can retry notifications."))
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.status == Status.SENT:
            raise InvalidTransition(_("This message has been sent already."), code="outbox_message_sent")
        before = {"status": message.status, "attempts": message.attempts, "next_attempt_at": message.next_attempt_at}
        if message.status != Status.PENDING:
            message.status, message.attempts = Status.PENDING, 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit.record(actor=actor, action="core.outbox.retry", obj=message, before=before,
                     after={"status": message.status, "attempts": message.attempts,
                            "next_attempt_at": message.next_attempt_at})
        _tell_workers_on_commit(message)
    return message


def outbox_forget_sent(*, now=None):
    """Drop messages sent more than MUNIS_OUTBOX_KEEP_SENT_DAYS ago (the timers do it); returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.MUNIS_OUTBOX_KEEP_SENT_DAYS)
    return OutboxMessage.objects.filter(status=Status.SENT, sent_at__lt=cutoff).delete()[0]
