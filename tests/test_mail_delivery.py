"""E-mail is the news of something already committed: a mail server that is down never turns a
submission or a sign-up into an error page, and with a broker a Celery job delivers (and retries)."""

import logging
import time

import pytest
from django.urls import reverse

from accounts.models import User
from eservices.models import Application

from .conftest import drop_broker_connections
from .factories import PERMIT_DATA, permit_files
from .smtp import SmtpSink, free_port
from .test_accounts import SIGNUP

APPLY = reverse("eservices:apply", args=["building-permit"])


@pytest.fixture
def smtp_down(settings):
    """Django's e-mail pointed at a loopback port nothing listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    settings.EMAIL_TIMEOUT = 5


def _submit(client):
    return client.post(APPLY, {**PERMIT_DATA, "action": "submit",
                               **{f"doc_{code}": upload for code, upload in permit_files().items()}})


def test_a_submission_is_answered_and_kept_when_the_mail_server_is_down(transactional_db, client, people,
                                                                         smtp_down, caplog):
    client.force_login(people.citizen)
    with caplog.at_level(logging.ERROR, logger="core.mail"):
        response = _submit(client)

    application = Application.objects.get(applicant=people.citizen)
    assert response.status_code == 302
    assert response["Location"] == reverse("eservices:application", args=[application.pk])
    assert application.status == Application.Status.SUBMITTED and application.reference.startswith("BP-")
    assert client.get(response["Location"]).status_code == 200
    [record] = [r for r in caplog.records if r.name == "core.mail"]
    assert people.citizen.email in record.getMessage() and "could not be sent" in record.getMessage()


def test_a_sign_up_goes_through_when_the_mail_server_is_down(transactional_db, client, smtp_down, caplog):
    with caplog.at_level(logging.ERROR, logger="core.mail"):
        response = client.post(reverse("accounts:signup"), SIGNUP)

    assert response.status_code == 302
    assert User.objects.filter(email="zarina@example.org", is_active=False).exists()
    assert any("zarina@example.org" in r.getMessage() for r in caplog.records if r.name == "core.mail")


def test_with_a_broker_the_applicants_mail_is_queued_and_a_celery_worker_delivers_it(
        transactional_db, client, people, smtp_sink, celery_on_redis):
    from celery.contrib.testing.worker import start_worker

    client.force_login(people.citizen)
    response = _submit(client)
    assert response.status_code == 302
    reference = Application.objects.get(applicant=people.citizen).reference
    assert smtp_sink.messages == []  # queued, not sent on the citizen's request
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        _wait_for(lambda: smtp_sink.messages)

    [message] = smtp_sink.messages
    assert message["To"] == people.citizen.email
    assert reference in message["Subject"] + message.get_payload(decode=True).decode()


def test_the_job_tries_again_until_the_mail_server_answers(transactional_db, client, people, smtp_down,
                                                          celery_on_redis, settings):
    from celery.contrib.testing.worker import start_worker

    settings.MUNIS_MAIL_RETRY_SECONDS = 0.2
    client.force_login(people.citizen)
    assert _submit(client).status_code == 302
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        time.sleep(1)  # a few tries against the closed port
        with SmtpSink(port=settings.EMAIL_PORT) as sink:  # the mail server is back
            _wait_for(lambda: sink.messages)

    [message] = sink.messages
    assert message["To"] == people.citizen.email


def test_with_the_broker_unreachable_the_mail_goes_out_at_once(transactional_db, client, people, smtp_sink,
                                                                celery_on_redis, settings, caplog):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    drop_broker_connections(celery_on_redis)  # its connections to the Redis that answers
    client.force_login(people.citizen)
    with caplog.at_level(logging.WARNING, logger="core.mail"):
        response = _submit(client)

    assert response.status_code == 302
    [message] = smtp_sink.messages
    assert message["To"] == people.citizen.email
    assert any("job queue refused" in r.getMessage() for r in caplog.records if r.name == "core.mail")


def _wait_for(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not deliver the e-mail in time")
        time.sleep(0.1)
