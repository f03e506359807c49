"""The audit log: registered actions only, inside the transaction, append-only,
hash-chained, readable by auditors, and outliving the people it names."""

import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import Organisation
from core import audit
from core.audit import verify_chain
from core.models import AppendOnlyError, AuditEvent
from eservices.services import application_apply, application_save_draft, application_submit

from .cases import permit_service
from .conftest import on_postgres
from .factories import PERMIT_DATA, UserFactory, permit_files
from .tamper import as_database_superuser


def test_unregistered_action_is_refused(db):
    user = UserFactory()
    with pytest.raises(audit.UnregisteredAction), transaction.atomic():
        audit.record(actor=user, action="eservices.application.teleport", obj=user)


def test_record_outside_a_transaction_is_refused(transactional_db):
    user = UserFactory()
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(actor=user, action="accounts.user.signup", obj=user)


def test_events_cannot_be_changed_or_deleted_through_the_orm(db):
    user = UserFactory()
    with transaction.atomic():
        event = audit.record(actor=user, action="accounts.user.signup", obj=user)
    event.actor_label = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_label="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(not on_postgres(), reason="the append-only trigger is PostgreSQL's; SQLite relies on the ORM guard")
def test_postgres_itself_refuses_to_rewrite_an_audit_row(db):
    user = UserFactory()
    with transaction.atomic():
        event = audit.record(actor=user, action="accounts.user.signup", obj=user)
    for sql in (f"UPDATE {AuditEvent._meta.db_table} SET actor_label = 'x' WHERE id = %s",
                f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_label == event.actor_label


def test_trail_outlives_a_deleted_user(db, capsys):
    user = UserFactory(full_name="Temporary Person")
    with transaction.atomic():
        audit.record(actor=user, action="accounts.user.signup", obj=user, after={"email": user.email})
    user_pk = user.pk
    user.delete()
    event = AuditEvent.objects.get(object_id=str(user_pk))
    assert event.actor_id == user_pk and event.actor_label == "Temporary Person"
    call_command("verify_audit")
    assert "1 events verified" in capsys.readouterr().out


def test_a_deleted_row_breaks_the_chain(db):
    user = UserFactory()
    with transaction.atomic():
        for _ in range(3):
            audit.record(actor=user, action="accounts.user.signup", obj=user)
    assert verify_chain().ok
    middle = AuditEvent.objects.order_by("id")[1]
    with as_database_superuser() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [middle.pk])
    report = verify_chain()
    assert not report.ok and report.first_bad_id == middle.pk + 1


def test_each_event_carries_our_request_id_and_the_ip(client, people, django_capture_on_commit_callbacks, caplog):
    """A client's X-Request-ID is not the audit row's id (anyone could send one to blur the trail): the row
    carries ours, echoed in the answer; the client's is kept beside it on the request's log records."""
    client.force_login(people.citizen)
    payload = {**PERMIT_DATA, "action": "submit"}
    payload.update({f"doc_{code}": f for code, f in permit_files().items()})
    with caplog.at_level("INFO", logger="munis.request"):
        response = client.post(reverse("eservices:apply", args=["building-permit"]), payload,
                               HTTP_X_REQUEST_ID="req-abc-123", REMOTE_ADDR="10.1.2.3")
    ours = response["X-Request-ID"]
    assert ours != "req-abc-123" and re.fullmatch(r"[0-9a-f]{32}", ours)
    submit = AuditEvent.objects.get(action="eservices.application.submit")
    assert submit.request_id == ours and submit.ip == "10.1.2.3"
    assert submit.after["reference"].startswith("BP-")
    logged = [r for r in caplog.records if r.name == "munis.request"]
    assert [(r.request_id, r.client_request_id) for r in logged] == [(ours, "req-abc-123")]
    assert "req-abc-123" in logged[0].getMessage() and ours in logged[0].getMessage()


def test_two_requests_sending_the_same_id_get_two_ids(client, db):
    first = client.get("/healthz", HTTP_X_REQUEST_ID="same")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="same")["X-Request-ID"]
    assert "same" not in (first, second) and first != second


def test_auditor_searches_a_case_and_reads_its_trail_with_field_changes(client, people, permit_service):
    application = application_apply(actor=people.citizen, service_type=permit_service,
                                    data=PERMIT_DATA, files=permit_files())
    client.force_login(people.auditor)
    page = client.get(reverse("audit:search"), {"q": application.reference})
    assert page.status_code == 200
    html = page.content.decode()
    assert application.reference in html
    trail_url = reverse("audit:trail", args=[f"eservices.application:{application.pk}"])
    assert trail_url in html
    trail = client.get(trail_url).content.decode()
    assert "Application submitted" in trail and "Aziza Citizen" in trail
    assert "BP-" in trail and "submitted" in trail  # the status change draft → submitted

    client.force_login(people.citizen)
    assert client.get(reverse("audit:search")).status_code == 403
    assert client.get(trail_url).status_code == 403


def test_a_batch_appends_its_events_in_order_and_rolls_back_with_the_service(db):
    user = UserFactory()
    with transaction.atomic(), audit.batch():
        first = audit.record(actor=user, action="accounts.user.signup", obj=user)
        second = audit.record(actor=user, action="accounts.user.verify_email", obj=user,
                              label=lambda: f"{user.full_name} (verified)")
        assert first.pk is None  # nothing written until the batch ends
    assert second.pk > first.pk
    assert second.prev_hash == first.hash and second.object_label.endswith("(verified)")

    class ServiceFailed(Exception):
        pass

    with pytest.raises(ServiceFailed), transaction.atomic(), audit.batch():
        audit.record(actor=user, action="accounts.user.signup", obj=user)
        raise ServiceFailed
    assert AuditEvent.objects.count() == 2
    assert verify_chain().ok


def test_events_of_work_rolled_back_to_a_savepoint_leave_the_batch(db):
    """A failed automatic step rolls back to its savepoint: the events it recorded go too."""
    user = UserFactory()
    with transaction.atomic(), audit.batch():
        audit.record(actor=user, action="accounts.user.signup", obj=user)
        mark = audit.batch_mark()
        try:
            with transaction.atomic():
                audit.record(actor=user, action="accounts.user.verify_email", obj=user)
                raise RuntimeError("step failed")
        except RuntimeError:
            audit.batch_discard_after(mark)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["accounts.user.signup"]
    assert verify_chain().ok


def test_an_application_submitted_in_one_step_has_one_row_version_the_submitted_case(people, permit_service):
    application = application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                                    files=permit_files())
    versions = list(application.history.values_list("status", "reference"))
    assert versions == [("submitted", application.reference)]


def test_an_action_name_is_registered_once():
    with pytest.raises(audit.DuplicateAction, match="eservices.application.submit"):
        audit.register("eservices.application.submit", "Submitted again", message="%(actor)s submitted %(object)s.")
    assert str(audit.registered_actions()["eservices.application.submit"].label) == "Application submitted"


def test_the_auditor_reads_each_event_in_words(client, people, permit_service):
    application = application_apply(actor=people.citizen, service_type=permit_service,
                                    data=PERMIT_DATA, files=permit_files())
    client.force_login(people.auditor)
    trail = client.get(reverse("audit:trail", args=[f"eservices.application:{application.pk}"])).content.decode()
    assert f"Aziza Citizen submitted the application {application.reference}." in trail


def test_a_message_naming_a_value_the_event_lacks_still_reads(db):
    event = AuditEvent(action="workflows.process.migrate", actor_label="Ada Admin", object_label="BP-2026-000001",
                       before={}, after={})
    assert audit.describe(event) == "Ada Admin moved BP-2026-000001 to flow version —."
    event.action = "eservices.application.teleport"  # an action no longer registered, on an old trail
    assert audit.describe(event) == "Ada Admin: eservices.application.teleport on BP-2026-000001"


def test_every_message_template_formats_with_only_actor_and_object(db):
    event = AuditEvent(actor_label="A", object_label="O", before={}, after={})
    for name in audit.registered_actions():
        event.action = name
        assert "A" in audit.describe(event) or "O" in audit.describe(event), name


def test_the_trail_of_a_saved_and_a_submitted_application_names_its_district(people):
    district = Organisation.objects.get(code="people-district")
    draft = application_save_draft(actor=people.citizen, service_type=permit_service(), data={}, district=district)
    application_submit(actor=people.citizen, application=draft, data=PERMIT_DATA, files=permit_files())
    urgut = {"code": "people-district", "name": "Urgut District"}
    saved = AuditEvent.objects.get(action="eservices.application.save_draft")
    submitted = AuditEvent.objects.get(action="eservices.application.submit")
    assert saved.after["district"] == urgut and submitted.after["district"] == urgut
    application_apply(actor=people.other_citizen, service_type=permit_service(), data=PERMIT_DATA,
                      files=permit_files())
    assert AuditEvent.objects.filter(action="eservices.application.submit").latest("pk").after["district"] is None
