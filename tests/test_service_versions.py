"""Versioned service types: an administrator drafts a new version of a service
and publishes it; new cases get it, open cases finish under the version they
were filed under, and who works the cases does not change."""

import copy
import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from core.audit import trail_key_for, verify_chain
from core.errors import InvalidTransition, NotFound, ValidationFailed
from core.models import AuditEvent
from eservices.models import Application, RequiredDocument, ServiceVersion, VersionFrozen
from eservices.selectors import decision_letter_of
from eservices.services import (
    application_apply,
    service_version_new_draft,
    service_version_publish,
    service_version_retire,
    service_version_save_draft,
)
from workflows.selectors import queue_for
from workflows.sla import DAY

from . import cases
from .conftest import on_postgres
from .factories import PERMIT_DATA, ServiceVersionFactory, UserFactory, permit_files
from .test_concurrency import only_conflicts, run_together, split

PARKING = {"type": "integer", "title": "Parking spaces", "minimum": 0, "x-title": {"ru": "Парковочные места"}}


def second_version(admin, permit_service, **changes):
    """Version 2 of the permit: the site address is asked for under a new
    title and the number of parking spaces is required."""
    first = permit_service.versions.get(number=1)
    draft = service_version_new_draft(actor=admin, source=first)
    schema = copy.deepcopy(first.form_schema)
    schema["properties"]["site_address"]["title"] = "Address of the building site"
    schema["properties"]["parking_spaces"] = PARKING
    schema["required"] = [*schema["required"], "parking_spaces"]
    draft.form_schema = schema
    for name, value in changes.items():
        setattr(draft, name, value)
    service_version_save_draft(actor=admin, version=draft)
    return service_version_publish(actor=admin, version=draft)


def finish(application, people):
    """Reviews, all favourable, and the head's approval."""
    return cases.decide(cases.review_favourably(application, people), people, approve=True)


def test_publishing_version_2_retires_version_1_and_new_cases_get_it_while_open_cases_finish_under_1(
        client, people, permit_service):
    old_case = cases.in_review(people.citizen, people.clerk)
    first = permit_service.versions.get(number=1)

    second = second_version(people.admin, permit_service, deadline_days=20)

    first.refresh_from_db()
    assert (first.status, second.status) == (ServiceVersion.Status.RETIRED, ServiceVersion.Status.PUBLISHED)
    assert first.valid_until == second.valid_from

    # A new application must now answer version 2's form.
    client.force_login(people.other_citizen)
    refused = cases.apply_over_http(client)
    assert refused.status_code == 400 and "Parking spaces" in refused.content.decode()
    assert cases.apply_over_http(client, data={"parking_spaces": 4}).status_code == 302
    new_case = Application.objects.get(applicant=people.other_citizen)
    assert new_case.service_version == second
    assert ("Address of the building site", "12 Navoi Street, Tashkent") in new_case.data_rows()

    # The open case still reads, and is worked, under version 1.
    client.force_login(people.citizen)
    page = client.get(reverse("eservices:application", args=[old_case.pk])).content.decode()
    assert "Site address" in page and "Address of the building site" not in page and "Parking" not in page
    assert 'id="service-version"' not in page  # the version number is the staff's
    client.force_login(people.fire)
    task_page = client.get(reverse("workflows:task", args=[cases.open_task(old_case, "review_fire_safety").pk]))
    assert task_page.status_code == 200 and 'id="service-version">1</dd>' in task_page.content.decode()
    flow = old_case.process.flow_class.instance
    assert flow.case_deadline(old_case.process)[0] == 30 * DAY  # version 1's deadline
    assert flow.case_deadline(new_case.process)[0] == 20 * DAY

    finish(old_case, people)
    assert old_case.status == Application.Status.APPROVED and old_case.service_version == first
    assert decision_letter_of(old_case) is not None

    client.force_login(people.other_citizen)
    listing = client.get("/api/v1/applications/").json()["results"]
    assert [(a["reference"], a["service_version"]) for a in listing] == [(new_case.reference, 2)]


def test_a_draft_saved_under_version_1_is_checked_against_and_filed_under_version_2_on_submission(
        client, people, permit_service):
    draft = cases.draft(people.citizen)
    assert draft.service_version.number == 1
    second_version(people.admin, permit_service)
    client.force_login(people.citizen)
    edit = reverse("eservices:edit_draft", args=[draft.pk])

    form = client.get(edit).content.decode()
    assert "Parking spaces" in form and "In force since" in form

    payload = {**PERMIT_DATA, "action": "submit", **{f"doc_{c}": f for c, f in permit_files().items()}}
    response = client.post(edit, payload)
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT and draft.service_version.number == 1

    payload = {**PERMIT_DATA, "parking_spaces": 2, "action": "submit",
               **{f"doc_{c}": f for c, f in permit_files().items()}}
    assert client.post(edit, payload).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED and draft.service_version.number == 2
    submit = AuditEvent.objects.get(action="eservices.application.submit")
    assert submit.after["version"] == 2


def test_a_published_version_cannot_be_changed_by_the_services_or_the_model(people, permit_service):
    published = permit_service.versions.get()
    published.fee = Decimal("1.00")
    with pytest.raises(VersionFrozen) as refused:
        service_version_save_draft(actor=people.admin, version=published)
    assert "Create a new draft" in str(refused.value.message)
    with pytest.raises(VersionFrozen):
        published.save()
    with pytest.raises(VersionFrozen):
        RequiredDocument.objects.create(version=published, code="survey", name="Survey")
    with pytest.raises(VersionFrozen):
        published.required_documents.first().delete()
    with pytest.raises(InvalidTransition):
        service_version_publish(actor=people.admin, version=published)

    published.refresh_from_db()
    assert published.fee == Decimal("150000.00") and published.required_documents.count() == 4
    assert not AuditEvent.objects.filter(action="eservices.service_version.edit").exists()


def test_the_admin_shows_a_published_version_read_only_and_edits_drafts_through_the_services(
        client, people, permit_service):
    published = permit_service.versions.get()
    client.force_login(people.admin)
    change = reverse("admin:eservices_serviceversion_change", args=[published.pk])

    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode() and 'name="fee"' not in page.content.decode()
    assert client.post(change, {"fee": "1.00"}).status_code == 403
    published.refresh_from_db()
    assert published.fee == Decimal("150000.00")

    # "New draft from this version", then edit the draft's fee, then "Publish".
    changelist = reverse("admin:eservices_serviceversion_changelist")
    response = client.post(changelist, {"action": "new_draft", "_selected_action": [published.pk]}, follow=True)
    assert "Building permit, version 2 created as a draft." in response.content.decode()
    draft = permit_service.versions.get(number=2)
    assert draft.is_draft and draft.required_documents.count() == 4

    form = client.get(reverse("admin:eservices_serviceversion_change", args=[draft.pk])).content.decode()
    assert 'name="_save"' in form
    assert client.post(reverse("admin:eservices_serviceversion_change", args=[draft.pk]), {
        **admin_form_of(draft), "fee": "175000.00",
    }).status_code == 302
    draft.refresh_from_db()
    assert draft.fee == Decimal("175000.00")
    edit = AuditEvent.objects.get(action="eservices.service_version.edit")
    assert edit.actor_id == people.admin.pk and edit.before == {"fee": "150000.00"} and edit.after["fee"] == "175000.00"

    response = client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "Building permit, version 2 published." in response.content.decode()
    assert list(permit_service.versions.values_list("number", "status")) == [(2, "published"), (1, "retired")]

    service_page = client.get(reverse("admin:eservices_servicetype_change", args=[permit_service.pk])).content.decode()
    assert "Publish, retire or copy a version" in service_page and "Retired" in service_page


def admin_form_of(version):
    """The admin form of a draft as the browser would post it back unchanged."""
    data = {name: getattr(version, name) or "" for name in (
        "name_en", "name_ru", "description_en", "description_ru", "fee", "deadline_days", "appeal_days",
        "appeal_body_en", "appeal_body_ru", "appeal_address_en", "appeal_address_ru", "flow")}
    data["form_schema"] = json.dumps(version.form_schema)
    prefix = "required_documents"
    documents = list(version.required_documents.all())
    data.update({f"{prefix}-TOTAL_FORMS": len(documents), f"{prefix}-INITIAL_FORMS": len(documents),
                 f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
    for i, doc in enumerate(documents):
        data.update({f"{prefix}-{i}-id": doc.pk, f"{prefix}-{i}-version": version.pk, f"{prefix}-{i}-code": doc.code,
                     f"{prefix}-{i}-name_en": doc.name_en, f"{prefix}-{i}-name_ru": doc.name_ru or "",
                     f"{prefix}-{i}-mandatory": "on" if doc.mandatory else ""})
    return data


@pytest.mark.parametrize("conflict", [
    pytest.param({"number": 2, "status": "published"}, id="a second published version"),
    pytest.param({"number": 1, "status": "draft"}, id="a version number taken twice"),
    pytest.param({"number": 2, "status": "draft", "valid_until": "past"}, id="a window ending before it starts"),
    pytest.param({"number": 2, "status": "published", "valid_from": None}, id="published without a start"),
])
def test_the_database_refuses_what_the_services_would_never_write(permit_service, conflict):
    now = timezone.now()
    values = {"valid_from": now, **conflict}
    if values.get("valid_until") == "past":
        values["valid_until"] = now - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceVersion.objects.bulk_create([ServiceVersion(service_type=permit_service, name="Copy", **values)])


def test_a_service_is_offered_only_within_its_validity_window(client, people):
    version = ServiceVersionFactory(name="Seasonal market stall", service_type__code="market-stall")
    start = timezone.now() + datetime.timedelta(days=10)
    version = service_version_publish(actor=people.admin, version=version, valid_from=start,
                                      valid_until=start + datetime.timedelta(days=5))
    page = reverse("eservices:service", args=["market-stall"])
    client.force_login(people.citizen)

    def offered():
        listed = "Seasonal market stall" in client.get(reverse("eservices:catalog")).content.decode()
        in_api = [s["code"] for s in client.get("/api/v1/services/").json()["results"]].count("market-stall") == 1
        opens = client.get(page).status_code == 200
        assert listed == in_api == opens
        return listed

    assert not offered()
    with pytest.raises(NotFound):
        application_apply(actor=people.citizen, service_type=version.service_type, data={})
    response = client.post(reverse("eservices:apply", args=["market-stall"]), {"action": "submit"})
    assert response.status_code == 404 and "This service is not available at the moment." in response.content.decode()

    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        assert offered()
        since, until = (date_filter(timezone.localtime(moment), "j M Y") for moment in (version.valid_from, version.valid_until))
        catalog = client.get(reverse("eservices:catalog")).content.decode()
        assert f"In force from {since} until {until}" in catalog
    with time_machine.travel(start + datetime.timedelta(days=5, seconds=-5), tick=False) as traveller:
        assert offered()  # and now cached
        traveller.shift(datetime.timedelta(seconds=10))  # the window closes while the entry is cached
        assert not offered()
    assert not offered()


def test_publishing_needs_no_new_grant_the_same_department_works_version_2_cases(people, permit_service):
    grants = Membership.objects.count()
    second_version(people.admin, permit_service)
    assert Membership.objects.count() == grants

    application = cases.in_review(people.citizen, people.clerk, parking_spaces=1)
    assert application.service_version.number == 2
    assert cases.open_task(application, "review_fire_safety").pk in queue_for(user=people.fire).values_list("task", flat=True)
    assert cases.open_task(application, "review_architecture").pk in queue_for(user=people.clerk).values_list("task",
                                                                                                             flat=True)
    finish(application, people)
    assert application.status == Application.Status.APPROVED


def test_drafting_and_publishing_are_audited_on_the_service_trail(people, permit_service):
    first = permit_service.versions.get()
    before = AuditEvent.objects.count()

    draft = service_version_new_draft(actor=people.admin, source=first)
    with pytest.raises(InvalidTransition) as second_draft:
        service_version_new_draft(actor=people.admin, source=first)
    assert second_draft.value.code == "draft_exists"
    service_version_publish(actor=people.admin, version=draft)
    service_version_retire(actor=people.admin, version=draft)

    events = AuditEvent.objects.for_trail(trail_key_for(permit_service)).order_by("id")[2:]  # after version 1's
    assert AuditEvent.objects.count() == before + 4
    assert [(e.action, e.object_label, e.actor_id) for e in events] == [
        ("eservices.service_version.draft", "Building permit, version 2", people.admin.pk),
        ("eservices.service_version.retire", "Building permit, version 1", people.admin.pk),
        ("eservices.service_version.publish", "Building permit, version 2", people.admin.pk),
        ("eservices.service_version.retire", "Building permit, version 2", people.admin.pk),
    ]
    assert events[0].after["copied_from"] == 1 and "site_plan" in events[0].after["documents"]
    assert events[2].after["retired"] == 1 and events[2].after["status"] == "published"
    assert verify_chain().ok


def test_a_new_version_cannot_leave_a_gap_in_a_service_in_force(people, permit_service):
    draft = service_version_new_draft(actor=people.admin, source=permit_service.versions.get())
    with pytest.raises(ValidationFailed) as refused:
        service_version_publish(actor=people.admin, version=draft,
                                valid_from=timezone.now() + datetime.timedelta(days=7))
    assert "valid_from" in refused.value.fields
    assert permit_service.versions.get(number=1).status == ServiceVersion.Status.PUBLISHED


def test_catalog_page_and_api_show_the_version_in_force(client, people, permit_service):
    second = second_version(people.admin, permit_service)
    since = date_filter(timezone.localtime(second.valid_from), "j M Y")  # as the page shows it: local date
    catalog = client.get(reverse("eservices:catalog")).content.decode()
    assert f"In force since {since}" in catalog
    assert "Version 2" not in catalog and "process version" not in catalog  # the numbers are the staff's
    listed = client.get("/api/v1/services/").json()["results"][0]
    assert listed["code"] == "building-permit" and listed["version"]["number"] == 2
    assert listed["version"]["valid_until"] is None
    assert "parking_spaces" in listed["form_schema"]["properties"]


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="row locks need PostgreSQL; CI runs this test on PostgreSQL")
def test_administrators_drafting_and_publishing_at_the_same_instant_get_one_draft_and_one_publication(
        transactional_db, people, permit_service):
    first = permit_service.versions.get()
    admins = [people.admin, *(UserFactory(is_staff=True, is_superuser=True) for _ in range(5))]

    drafts, errors = split(run_together([
        lambda admin=admin: service_version_new_draft(actor=admin, source=first) for admin in admins]))
    assert len(drafts) == 1
    only_conflicts(errors, "draft_exists")

    published, errors = split(run_together([
        lambda admin=admin: service_version_publish(actor=admin, version=drafts[0]) for admin in admins]))
    assert len(published) == 1
    only_conflicts(errors, "not_a_draft")
    assert list(permit_service.versions.values_list("number", "status")) == [(2, "published"), (1, "retired")]
    assert AuditEvent.objects.filter(action="eservices.service_version.publish").count() == 2  # v1's and v2's
    assert verify_chain().ok


def test_an_administrator_adds_a_new_service_and_its_first_version_in_the_admin(client, people, permit_service):
    client.force_login(people.admin)
    response = client.post(reverse("admin:eservices_servicetype_add"), {
        "code": "tree-felling", "reference_series": "TF", "department": permit_service.department_id,
        **empty_formset("versions"), **empty_formset("task_routes"),
    })
    assert response.status_code == 302
    service_type = permit_service.department.service_types.get(code="tree-felling")

    add = reverse("admin:eservices_serviceversion_add")
    assert client.get(add, {"service_type": service_type.pk}).status_code == 200
    schema = {"type": "object", "required": ["trees"], "properties": {"trees": {"type": "integer", "minimum": 1}}}
    response = client.post(add, {
        "service_type": service_type.pk, "name_en": "Tree felling permit", "name_ru": "", "description_en": "",
        "description_ru": "", "form_schema": json.dumps(schema), "fee": "0", "deadline_days": "10", "appeal_days": "30",
        "flow": "permits.BuildingPermitFlow", **empty_formset("required_documents", total=1),
        "required_documents-0-code": "photo", "required_documents-0-name_en": "Photo of the trees",
        "required_documents-0-mandatory": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = service_type.versions.get()
    assert (draft.number, draft.status) == (1, ServiceVersion.Status.DRAFT)
    assert [d.code for d in draft.required_documents.all()] == ["photo"]
    created = AuditEvent.objects.get(action="eservices.service_version.draft", object_id=str(draft.pk))
    assert created.actor_id == people.admin.pk and created.trail_key == trail_key_for(service_type)

    bad = client.post(add, {"service_type": service_type.pk, "name_en": "Second draft",
                            "form_schema": json.dumps(schema), "fee": "0", "deadline_days": "10", "appeal_days": "30", "flow": "permits.BuildingPermitFlow",
                            **empty_formset("required_documents")})
    assert bad.status_code == 409 and "still a draft" in bad.content.decode()

    client.post(reverse("admin:eservices_serviceversion_changelist"),
                {"action": "publish", "_selected_action": [draft.pk]})
    assert "Tree felling permit" in client.get(reverse("eservices:catalog")).content.decode()


def empty_formset(prefix, total=0):
    return {f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000}
