"""Background jobs in production shape: a real Celery worker on Redis fires the
timers, and /readyz reports the broker."""

import datetime
import socket

import pytest
from django.utils import timezone

from core.models import AuditEvent
from eservices.services import application_apply
from workflows.models import TaskClock

from .factories import PERMIT_DATA, permit_files

REDIS = ("127.0.0.1", 6379)


def _redis_up():
    try:
        socket.create_connection(REDIS, timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def redis_broker():
    if not _redis_up():
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (CI provides it; locally: start redis-server).")
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def celery_on_redis(redis_broker, settings):
    from config.celery import app

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager", "task_ignore_result")}
    app.conf.update(broker_url=redis_broker, result_backend=redis_broker, task_always_eager=False,
                    task_ignore_result=False)
    settings.CELERY_BROKER_URL = redis_broker
    try:
        yield app
    finally:
        app.conf.update(saved)


def test_a_celery_worker_on_redis_fires_due_timers(transactional_db, people, permit_service, celery_on_redis):
    from celery.contrib.testing.worker import start_worker

    from workflows.tasks import run_timers

    application = application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                                    files=permit_files())
    TaskClock.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = run_timers.delay().get(timeout=60)
    assert result == "reminded 0, escalated notify 1, failed 0"
    event = AuditEvent.objects.get(action="workflows.task.escalate")
    assert event.trail_key == f"eservices.application:{application.pk}"


def test_readyz_checks_the_broker(client, db, celery_on_redis, settings):
    body = client.get("/readyz").json()
    assert body["checks"]["broker"] == "ok"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # Celery reads it from the settings
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")
