"""A cache that is down fails no committed write: the cache is only a shortcut (core.cache). Saving a
service type in the admin, applying for a service and publishing a version commit and answer normally with
the cache pointed at a Redis nobody answers on; a change whose forget could not reach the cache is made up
at the next use of a working one."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from documents.models import Document
from eservices import services
from eservices.models import ServiceType
from eservices.selectors import catalog_cache

from . import cases
from .seaweedfs import free_ports


def redis_nobody_answers():
    """CACHES naming Django's RedisCache on a closed loopback port, as when Redis is down."""
    (port,) = free_ports(1)
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": f"redis://127.0.0.1:{port}/0"}}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = redis_nobody_answers()
    with pytest.raises(RedisConnectionError):
        cache.get("anything")


def test_saving_a_service_type_in_the_admin_commits_while_the_cache_is_down(transactional_db, client, people,
                                                                            cache_down, caplog):
    department = people.clerk.memberships.get().organisation
    client.force_login(people.admin)
    management = {f"{prefix}-{field}": value for prefix in ("versions", "task_routes")
                  for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"),
                                       ("MAX_NUM_FORMS", "1000"))}

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        response = client.post(reverse("admin:eservices_servicetype_add"), {
            "code": "street-lights", "reference_series": "SL", "department": department.pk, **management})

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert ServiceType.objects.filter(code="street-lights", department=department).exists()
    assert "Cache forget of eservices:service-version failed" in caplog.text


def test_a_citizen_applies_and_a_version_is_published_while_the_cache_is_down(people, permit_service, cache_down,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # as its commit would
        application = cases.submitted(people.citizen)
    assert callbacks  # the document class was to be cached once committed: not kept, and no error
    assert application.reference and Document.objects.filter(case_id=str(application.pk)).count() == 3

    draft = services.service_version_new_draft(actor=people.admin, source=permit_service.versions.get())
    with django_capture_on_commit_callbacks(execute=True):
        services.service_version_publish(actor=people.admin, version=draft)
    draft.refresh_from_db()
    assert draft.status == draft.Status.PUBLISHED


def test_a_forget_the_cache_missed_is_made_up_when_it_is_back(people, permit_service, settings):
    """While the generation could not be moved on, this process reads around the cache; its next use of a
    working cache moves it on, so an entry cached before the change is never served afterwards."""
    catalog_cache.set("building-permit", "stale")
    assert catalog_cache.get("building-permit") == "stale"
    caches = settings.CACHES
    settings.CACHES = redis_nobody_answers()
    assert catalog_cache.forget() is False
    settings.CACHES = caches  # back: the same cache, still holding the old entry

    assert catalog_cache.get("building-permit") is None
