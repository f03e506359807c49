"""E-mail is the news of something already committed: it is a row in the outbox, written in the same transaction,
so a mail server or a job queue that is down never fails or slows a submission or a sign-up, and the mail goes out
once when they are back. Real parts: the SMTP sink, a closed port, Redis and a Celery worker."""

import datetime
import logging
import sys
import threading
import time

import pytest
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from core.mail import mail_user
from core.models import OutboxMessage
from core.outbox import outbox_deliver_due
from core.outbox.publisher import publisher
from eservices.models import Application

from .conftest import drop_broker_connections
from .factories import PERMIT_DATA, permit_files
from .smtp import SmtpSink, free_port
from .test_accounts import SIGNUP

APPLY = reverse("eservices:apply", args=["building-permit"])


def _submit(client):
    return client.post(APPLY, {**PERMIT_DATA, "action": "submit",
                               **{f"doc_{code}": upload for code, upload in permit_files().items()}})


def test_an_email_whose_server_is_down_is_delivered_once_when_it_comes_back(transactional_db, client, people,
                                                                            smtp_down, settings):
    client.force_login(people.citizen)
    response = _submit(client)

    application = Application.objects.get(applicant=people.citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse("eservices:application", args=[application.pk])
    assert application.status == Application.Status.SUBMITTED and application.reference.startswith("BP-")
    [message] = OutboxMessage.objects.all()
    assert (message.status, message.attempts, message.address) == ("pending", 0, people.citizen.email)
    assert (message.object_type, message.object_id) == ("eservices.application", str(application.pk))

    # The sender finds the mail server down: the message waits for its next try.
    tried_at = message.next_attempt_at
    assert outbox_deliver_due(now=tried_at)["retrying"] == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "refused" in message.last_error.lower()
    assert message.next_attempt_at == tried_at + datetime.timedelta(seconds=30)
    assert outbox_deliver_due(now=tried_at + datetime.timedelta(seconds=29)) == {}  # not due yet

    retried_at = message.next_attempt_at
    with SmtpSink(port=settings.EMAIL_PORT) as sink:  # the mail server is back
        assert outbox_deliver_due(now=retried_at)["sent"] == 1
        assert outbox_deliver_due(now=retried_at + datetime.timedelta(days=1)) == {}

    [mail] = sink.messages
    assert mail["To"] == people.citizen.email
    assert application.reference in mail["Subject"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    assert message.sent_at == retried_at


def test_a_sign_up_goes_through_when_the_mail_server_is_down(transactional_db, client, smtp_down):
    response = client.post(reverse("accounts:signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="zarina@example.org", is_active=False)
    [message] = OutboxMessage.objects.all()
    assert (message.status, message.recipient, message.object_id) == ("pending", user, str(user.pk))
    assert "/accounts/verify/" in message.body


def test_a_mail_is_written_with_the_change_it_reports_or_not_at_all(transactional_db, people):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail_user(people.citizen, "workflows/email/delegation", delegation=None, link="http://x/")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()

    mail_user(people.citizen, "workflows/email/delegation", delegation=None, link="http://x/")  # no transaction
    assert OutboxMessage.objects.get().status == "pending"


class _ConnectsTo:
    """Every connection attempt this process makes to one port, with the thread that made it (Python's audit hooks
    see each socket.connect; a hook cannot be removed, so one hook serves every test)."""

    port = None
    seen = []

    @classmethod
    def hook(cls, event, args):
        if event == "socket.connect" and cls.port is not None:
            address = args[1]
            if isinstance(address, tuple) and len(address) >= 2 and address[1] == cls.port:
                cls.seen.append(threading.current_thread().name)


sys.addaudithook(_ConnectsTo.hook)


@pytest.fixture
def broker_down(celery_on_redis, settings):
    """A job queue is configured, but its broker is a loopback port nothing listens on."""
    port = free_port()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    drop_broker_connections(celery_on_redis)  # its connections to the Redis that answers
    _ConnectsTo.port, _ConnectsTo.seen = port, []
    yield port
    publisher.wait_idle(timeout=30)
    _ConnectsTo.port = None


def test_with_the_broker_down_a_submission_succeeds_without_trying_to_reach_it(transactional_db, client, people,
                                                                               broker_down, smtp_sink, caplog):
    client.force_login(people.citizen)
    with caplog.at_level(logging.WARNING, logger="core.outbox"):
        response = _submit(client)
        assert response.status_code == 302
        request_thread = threading.current_thread().name
        assert request_thread not in _ConnectsTo.seen  # the request made no attempt to reach the broker
        [message] = OutboxMessage.objects.all()
        assert message.status == "pending"
        assert publisher.wait_idle(timeout=30)

    # The publish was tried, off the request's thread, and its failure left the message to the timers.
    assert _ConnectsTo.seen and set(_ConnectsTo.seen) == {"outbox-publisher"}
    assert any("did not take outbox message" in r.getMessage() for r in caplog.records)
    assert outbox_deliver_due()["sent"] == 1
    [mail] = smtp_sink.messages
    assert mail["To"] == people.citizen.email


def test_with_a_broker_a_celery_worker_delivers_the_mail(transactional_db, client, people, smtp_sink,
                                                         celery_on_redis):
    from celery.contrib.testing.worker import start_worker

    client.force_login(people.citizen)
    assert _submit(client).status_code == 302
    reference = Application.objects.get(applicant=people.citizen).reference
    assert publisher.wait_idle(timeout=30)  # handed to the broker
    assert smtp_sink.messages == []  # queued, not sent on the citizen's request
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        _wait_for(lambda: smtp_sink.messages)

    [mail] = smtp_sink.messages
    assert mail["To"] == people.citizen.email
    assert reference in mail["Subject"] + mail.get_payload(decode=True).decode()
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == ("sent", 1)


def _wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not deliver the e-mail in time")
        time.sleep(0.1)
