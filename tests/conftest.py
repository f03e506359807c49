"""Shared fixtures: the building-permit service and one person per role."""

import socket
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from accounts.models import Organisation, Role
from core.outbox.publisher import publisher as outbox_publisher
from permits.catalog import ensure_building_permit_service

from .factories import UserFactory, member
from .seaweedfs import s3_documents, seaweedfs  # noqa: F401 - fixtures: a real SeaweedFS S3 server


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    """Files in a temporary folder; fast password hashing (tests make many
    users); empty caches, so rate-limit counters never leak between tests; the
    site's own language, since a request in Russian leaves Russian active in
    the test's thread (LocaleMiddleware) for whichever test runs next."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def permit_service(db):
    return ensure_building_permit_service()


@pytest.fixture
def people(permit_service):
    """A citizen, a second citizen, staff for every role of the permit flow, and ministry, mahalla (in its
    district and region under the ministry) and supplier staff."""
    dept = {o.code: o for o in Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)}
    city = Organisation.objects.get(code="city-hall")
    ministry = Organisation.objects.create(code="ministry", name="Ministry", kind=Organisation.Kind.MINISTRY)
    region = Organisation.objects.create(code="people-region", name="Samarkand Region",
                                         kind=Organisation.Kind.REGION, parent=ministry)
    district = Organisation.objects.create(code="people-district", name="Urgut District",
                                           kind=Organisation.Kind.DISTRICT, parent=region)
    mahalla = Organisation.objects.create(code="people-mahalla", name="Navbahor Mahalla",
                                          kind=Organisation.Kind.MAHALLA, parent=district)
    supplier = Organisation.objects.create(code="water", name="Water", kind=Organisation.Kind.SUPPLIER)
    admin = UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True)
    return SimpleNamespace(
        citizen=UserFactory(full_name="Aziza Citizen"),
        other_citizen=UserFactory(full_name="Bekzod Neighbour"),
        clerk=member(dept["dept-architecture"], Role.CLERK, full_name="Dilnoza Clerk"),
        clerk2=member(dept["dept-architecture"], Role.CLERK, full_name="Erkin Clerk"),
        fire=member(dept["dept-fire-safety"], Role.CLERK, full_name="Farrukh Fire"),
        environment=member(dept["dept-environment"], Role.CLERK, full_name="Gulnora Environment"),
        supervisor=member(dept["dept-architecture"], Role.SUPERVISOR, full_name="Jamshid Head"),
        auditor=member(city, Role.AUDITOR, full_name="Kamola Auditor"),
        ministry=member(ministry, Role.MINISTRY, full_name="Lola Ministry"),
        mahalla=member(mahalla, Role.MAHALLA, full_name="Malika Mahalla"),
        supplier=member(supplier, Role.SUPPLIER, full_name="Nodir Supplier"),
        admin=admin,
    )


def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def smtp_sink(settings):
    """Route Django's e-mail through a real SMTP server on loopback."""
    from .smtp import SmtpSink

    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_USE_TLS = False
        yield sink


@pytest.fixture
def smtp_down(settings):
    """Django's e-mail pointed at a loopback port nothing listens on."""
    from .smtp import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", free_port(), False
    settings.EMAIL_TIMEOUT = 5


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
    """Celery with a real broker: jobs are queued, not run inline. Celery reads its configuration from Django's
    settings on each access (``config_from_object``), so the settings are what changes; its broker connections
    are dropped before and after, and the test's Redis database starts empty."""
    import redis

    from config.celery import app

    redis.Redis.from_url(redis_broker).flushdb()
    drop_broker_connections(app)
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = redis_broker
    settings.CELERY_TASK_ALWAYS_EAGER = settings.CELERY_TASK_IGNORE_RESULT = False
    assert not app.conf.task_always_eager and app.conf.broker_url == redis_broker
    yield app
    outbox_publisher.wait_idle(timeout=30)  # its last publishes go to this test's broker, not the next one's
    drop_broker_connections(app)


def drop_broker_connections(app):
    """Forget the connections Celery keeps to the broker it used last (as it does in a forked child), so the
    next job goes to the broker the settings name now."""
    app._after_fork()
