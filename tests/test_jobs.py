"""Background jobs in production shape: a real Celery worker on Redis fires the
timers, and /readyz reports the broker."""

import datetime

from django.utils import timezone

from core.models import AuditEvent
from eservices.services import application_apply
from workflows.models import TaskClock

from .factories import PERMIT_DATA, permit_files


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
