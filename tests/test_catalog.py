"""The catalog as citizens see it follows every change an administrator makes, at once,
although the versions in force are cached between requests."""

from django.urls import reverse

from accounts.models import Organisation
from eservices.models import Application, RequiredDocument, TaskRoute
from eservices.services import service_version_new_draft, service_version_publish, service_version_retire
from workflows.selectors import queue_for

from .cases import apply_over_http
from .factories import UserFactory


def test_retiring_a_service_closes_it_at_once(client, people, permit_service):
    client.force_login(people.citizen)
    page = reverse("eservices:service", args=["building-permit"])
    assert client.get(page).status_code == 200  # now cached

    service_version_retire(actor=people.admin, version=permit_service.versions.get())

    assert client.get(page).status_code == 404
    assert apply_over_http(client).status_code == 404
    assert not Application.objects.exists()


def test_a_new_mandatory_document_is_asked_for_on_the_next_application(client, people, permit_service):
    client.force_login(people.citizen)
    assert apply_over_http(client).status_code == 302  # the entry is cached now

    draft = service_version_new_draft(actor=people.admin, source=permit_service.versions.get())
    RequiredDocument.objects.create(version=draft, code="survey", name="Geodetic survey")
    service_version_publish(actor=people.admin, version=draft)

    response = apply_over_http(client)
    assert response.status_code == 400
    assert "Geodetic survey" in response.content.decode()
    assert Application.objects.count() == 1


def test_a_changed_routing_rule_sends_the_next_case_to_the_new_department(client, people, permit_service):
    client.force_login(people.citizen)
    assert apply_over_http(client).status_code == 302  # routing cached with the entry
    assert queue_for(user=people.clerk).count() == 1

    TaskRoute.objects.create(service_type=permit_service, task="check_completeness",
                             department=people.fire.memberships.get().organisation)

    assert apply_over_http(client).status_code == 302
    assert queue_for(user=people.clerk).count() == 1
    assert queue_for(user=people.fire).count() == 1


def test_the_form_offers_a_district_from_the_moment_the_first_one_is_set_up(client, permit_service):
    client.force_login(UserFactory())  # and no ``people``: their mahalla's district would be the first
    form_page = reverse("eservices:apply", args=["building-permit"])
    assert 'name="district"' not in client.get(form_page).content.decode()  # none yet, and now cached

    region = Organisation.objects.create(code="region", name="Tashkent", kind=Organisation.Kind.REGION)
    Organisation.objects.create(code="chilanzar", name="Chilanzar District", kind=Organisation.Kind.DISTRICT,
                                parent=region)

    html = client.get(form_page).content.decode()
    assert 'name="district"' in html and "Chilanzar District" in html
