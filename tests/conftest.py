"""Shared fixtures: the building-permit service and one person per role."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection

from accounts.models import Organisation, Role
from eservices.catalog import ensure_building_permit_service

from .factories import UserFactory, member
from .seaweedfs import s3_documents, seaweedfs  # noqa: F401 - fixtures: a real SeaweedFS S3 server


@pytest.fixture(autouse=True)
def _test_environment(settings, tmp_path):
    """Files in a temporary folder; fast password hashing (tests make many
    users); empty caches, so rate-limit counters never leak between tests."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def permit_service(db):
    return ensure_building_permit_service()


@pytest.fixture
def people(permit_service):
    """A citizen, a second citizen, and staff for every role of the permit flow."""
    dept = {o.code: o for o in Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)}
    city = Organisation.objects.get(code="city-hall")
    ministry = Organisation.objects.create(code="ministry", name="Ministry", kind=Organisation.Kind.MINISTRY)
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
