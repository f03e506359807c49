"""The notification outbox as an operator meets it: retries that wait longer each time and then give up (audited),
a message sent once by two senders at once, channels that other apps register, the administrators' view with
"retry now", and sent messages forgotten after MUNIS_OUTBOX_KEEP_SENT_DAYS."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from core.audit import describe
from core.models import AuditEvent, OutboxMessage
from core.outbox import (
    Channel,
    PermanentError,
    outbox_deliver_due,
    outbox_put,
    register_channel,
    unregister_channel,
)
from workflows.timers import run_due_timers

from .factories import UserFactory
from .smtp import Inbox, SmtpSink


def _email(address="aziza@example.org", subject="Application BP-2026-000001 received", **fields):
    return outbox_put(channel="email", address=address, subject=subject, body="Hello.", **fields)


def test_a_message_waits_longer_after_each_failed_try_and_is_given_up_after_the_24th(transactional_db, smtp_down):
    message = _email()
    pauses = []
    while message.status == "pending":
        tried_at = message.next_attempt_at
        outbox_deliver_due(now=tried_at)
        message.refresh_from_db()
        pauses.append((message.next_attempt_at - tried_at).total_seconds())

    assert message.status == "given_up" and message.attempts == 24
    assert pauses[:-1] == [30, 60, 120, 240, 480, 960, 1920] + [3600] * 16  # the last try moved it no further
    [event] = AuditEvent.objects.filter(action="core.outbox.give_up")
    assert event.actor_id is None and event.object_id == str(message.pk)
    assert event.after["status"] == "given_up" and event.after["attempts"] == 24
    assert event.after["address"] == "aziza@example.org" and "refused" in event.after["error"].lower()
    with translation.override("en"):
        assert "aziza@example.org" in describe(event) and "given up after 24 tries" in describe(event)


class _RefusingInbox(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such mailbox here"


def test_an_address_the_mail_server_refuses_for_good_fails_at_once_and_is_audited(transactional_db, settings):
    with SmtpSink(inbox=_RefusingInbox()) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
        message = _email(address="nobody@example.org")
        assert outbox_deliver_due()["failed"] == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error.startswith("550") and "No such mailbox" in message.last_error
    [event] = AuditEvent.objects.filter(action="core.outbox.give_up")
    assert event.after["status"] == "failed"
    assert outbox_deliver_due(now=timezone.now() + datetime.timedelta(days=1)) == {}


def test_a_mail_server_that_is_down_costs_a_timer_run_three_tries_not_one_per_message(transactional_db,
                                                                                        smtp_down):
    for n in range(6):
        _email(address=f"person{n}@example.org")

    assert outbox_deliver_due()["retrying"] == 3
    assert sorted(OutboxMessage.objects.values_list("attempts", flat=True)) == [0, 0, 0, 1, 1, 1]


class _HoldingInbox(Inbox):
    """Takes a message, says so, and answers only when the test lets it."""

    def __init__(self):
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        self.release.wait(timeout=30)
        return await super().handle_DATA(server, session, envelope)


def test_two_senders_at_once_deliver_a_message_once(transactional_db, settings):
    inbox = _HoldingInbox()
    with SmtpSink(inbox=inbox) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
        message = _email()
        first = {}

        def first_sender():
            try:
                first["run"] = outbox_deliver_due()
            finally:
                connection.close()

        thread = threading.Thread(target=first_sender)
        thread.start()
        assert inbox.arrived.wait(timeout=30)  # the first sender is in the middle of sending it
        second = outbox_deliver_due()
        inbox.release.set()
        thread.join(timeout=30)

    assert second == {} and first["run"] == {"sent": 1}
    assert len(sink.messages) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)


class _TextMessages(Channel):
    """A stand-in for an SMS gateway, which another app will register the same way."""

    name = "test-sms"
    label = "SMS"

    def __init__(self):
        self.sent = []

    def address_for(self, user):
        return user.phone

    def send(self, message):
        if message.address.startswith("+000"):
            raise PermanentError("not a phone number")
        self.sent.append((message.address, message.body))


@pytest.fixture
def text_messages():
    channel = _TextMessages()
    register_channel(channel)
    yield channel
    unregister_channel(channel.name)


def test_a_channel_another_app_registers_delivers_its_messages_through_the_same_outbox(db, text_messages):
    user = UserFactory(phone="+998 90 123 45 67")
    outbox_put(channel="test-sms", address=text_messages.address_for(user), body="BP-2026-000001: approved.",
               recipient=user, about=user)
    outbox_put(channel="test-sms", address="+000", body="Lost.")

    run = outbox_deliver_due()

    assert run == {"sent": 1, "failed": 1}
    assert text_messages.sent == [("+998 90 123 45 67", "BP-2026-000001: approved.")]
    assert mail.outbox == []
    with pytest.raises(ValueError, match="already registered"):
        register_channel(_TextMessages())
    with pytest.raises(LookupError):
        outbox_put(channel="pigeon", address="roof", body="Coo.")


def test_an_administrator_finds_a_given_up_message_and_retries_it_now(transactional_db, client, people,
                                                                      smtp_sink):
    message = _email(address="bekzod@example.org", recipient=people.other_citizen)
    OutboxMessage.objects.filter(pk=message.pk).update(status="given_up", attempts=24, last_error="Timed out")
    sent = _email(address="aziza@example.org")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent", sent_at=timezone.now())
    changelist = reverse("admin:core_outboxmessage_changelist")

    client.force_login(people.admin)
    page = client.get(changelist, {"status__exact": "given_up", "q": "bekzod"}).content.decode()
    assert "bekzod@example.org" in page and "Timed out" in page and "aziza@example.org" not in page
    response = client.post(changelist, {"action": "retry_now", "_selected_action": [message.pk, sent.pk]},
                           follow=True)

    page = response.content.decode()
    assert "1 message will be tried again now." in page and "This message has been sent already." in page
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    [event] = AuditEvent.objects.filter(action="core.outbox.retry")
    assert event.actor_id == people.admin.pk and event.object_id == str(message.pk)
    assert event.before["status"] == "given_up" and event.after["status"] == "pending"
    with translation.override("en"):
        assert describe(event).startswith("Ada Admin had the notification email → bekzod@example.org")
    assert outbox_deliver_due()["sent"] == 1
    assert [m["To"] for m in smtp_sink.messages] == ["bekzod@example.org"]


def test_only_administrators_see_the_outbox(client, db):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:core_outboxmessage_changelist")).status_code == 403
    assert "Outbox" not in client.get(reverse("admin:index")).content.decode()


def test_the_timers_forget_messages_sent_more_than_90_days_ago(db, settings):
    now = timezone.now()
    old, recent, failed = _email(), _email(), _email()
    OutboxMessage.objects.filter(pk=old.pk).update(status="sent", sent_at=now - datetime.timedelta(days=91))
    OutboxMessage.objects.filter(pk=recent.pk).update(status="sent", sent_at=now - datetime.timedelta(days=89))
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", created=now - datetime.timedelta(days=400))

    run_due_timers(now=now)

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}
    settings.MUNIS_OUTBOX_KEEP_SENT_DAYS = 30
    run_due_timers(now=now)
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {failed.pk}
