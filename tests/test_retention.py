"""Records management as the city's records officer meets it: a case's outcome
sets how long its documents are kept; a legal hold stops disposal; a disposal
run is proposed, approved by a second person, carried out, and leaves a
tombstone; a disposed document is gone for readers but not from the record."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.models import AuditEvent
from documents import retention
from documents.blobs import documents_storage
from documents.models import DisposalAction, Document, DocumentClass, RetentionRule
from documents.retention_models import DisposalItem, DisposalRun

from . import cases
from .factories import UserFactory


@pytest.fixture
def second_admin(db):
    return UserFactory(full_name="Bobur Records", is_staff=True, is_superuser=True)


def _application_documents(application):
    return Document.objects.filter(case_id=str(application.pk), code__in=["site_plan", "architectural_design",
                                                                          "ownership"])


def _due_now(application):
    """Move the case's documents' retention end to yesterday, as the years passing would."""
    _application_documents(application).update(disposal_due=timezone.localdate() - datetime.timedelta(days=1))


def test_an_approved_permits_documents_are_kept_ten_years_then_transferred(people, permit_service):
    application = cases.approved(people.citizen, people)

    ended = timezone.localdate(application.decided_at)
    documents = list(_application_documents(application))
    assert len(documents) == 3
    for document in documents:
        assert (document.outcome, document.disposal_action) == ("approved", DisposalAction.TRANSFER)
        assert document.disposal_due == ended.replace(year=ended.year + 10)
    letter = Document.objects.get(case_id=str(application.pk), code="decision_letter")
    assert (letter.disposal_action, letter.disposal_due) == (DisposalAction.KEEP, None)
    event = AuditEvent.objects.get(action="documents.retention.set")
    assert event.trail_key == f"eservices.application:{application.pk}" and event.after["outcome"] == "approved"


def test_a_rule_for_refused_permits_keeps_their_documents_five_years_and_destroys_them(people, permit_service):
    application_class = DocumentClass.objects.get(code="application-document")
    RetentionRule.objects.create(document_class=application_class, outcome="refused", retention_years=5,
                                 disposal=DisposalAction.DESTROY)
    application = cases.refused(people.citizen, people)

    ended = timezone.localdate(application.decided_at)
    for document in _application_documents(application):
        assert (document.disposal_action, document.disposal_due) == (
            DisposalAction.DESTROY, ended.replace(year=ended.year + 5))


def test_disposal_is_proposed_approved_by_someone_else_and_leaves_a_tombstone(
        client, people, permit_service, second_admin, django_capture_on_commit_callbacks):
    RetentionRule.objects.create(document_class=DocumentClass.objects.get(code="application-document"),
                                 outcome="refused", retention_years=5, disposal=DisposalAction.DESTROY)
    application = cases.refused(people.citizen, people)
    _due_now(application)
    site_plan = cases.versions_of(application).get(document__code="site_plan")
    keys = set(cases.versions_of(application).filter(document__code__in=["site_plan", "ownership",
                                                                          "architectural_design"])
               .values_list("blob_key", flat=True))

    run = retention.disposal_propose(actor=people.admin)
    assert run.items.count() == 3
    with pytest.raises(PermissionDenied) as same_person:
        retention.disposal_approve(actor=people.admin, run=run)
    assert same_person.value.code == "four_eyes"
    with pytest.raises(InvalidTransition):
        retention.disposal_execute(actor=second_admin, run=run)  # not approved yet
    retention.disposal_approve(actor=second_admin, run=run)
    with django_capture_on_commit_callbacks(execute=True):  # the blobs go once the run has committed
        retention.disposal_execute(actor=people.admin, run=run)

    run.refresh_from_db()
    assert run.status == DisposalRun.Status.EXECUTED
    item = run.items.get(document__code="site_plan")
    assert item.result == DisposalItem.Result.DESTROYED
    assert item.versions == [{"number": 1, "sha256": site_plan.sha256, "size": site_plan.size,
                              "name": "site_plan.pdf"}]
    assert all(not documents_storage().exists(key) for key in keys)
    assert cases.versions_of(application).filter(document__code="site_plan").exists()  # the record stays

    client.force_login(people.citizen)
    response = client.get(reverse("eservices:document", args=[application.pk, site_plan.pk]))
    assert response.status_code == 410 and "was disposed of on" in response.content.decode()
    call_command("verify_documents")  # what was disposed of is not reported missing
    actions = list(AuditEvent.objects.filter(action__startswith="documents.disposal").values_list("action", flat=True))
    assert actions == ["documents.disposal.propose", "documents.disposal.approve"] + [
        "documents.disposal.dispose"] * 3


def test_a_legal_hold_keeps_a_case_out_of_disposal_until_it_is_released(people, permit_service, second_admin):
    application = cases.approved(people.citizen, people)
    _due_now(application)
    hold = retention.legal_hold_place(actor=people.auditor, case=application, reason="Court case 2-114/2026")

    with pytest.raises(ValidationFailed) as nothing:
        retention.disposal_propose(actor=people.admin)
    assert nothing.value.code == "nothing_due"

    with pytest.raises(PermissionDenied):
        retention.legal_hold_release(actor=people.supervisor, hold=hold, reason="Settled")
    retention.legal_hold_release(actor=people.admin, hold=hold, reason="Judgment final")
    run = retention.disposal_propose(actor=people.admin)
    assert run.items.count() == 3


def test_a_hold_placed_after_approval_still_stops_the_disposal(people, permit_service, second_admin):
    application = cases.approved(people.citizen, people)
    _due_now(application)
    run = retention.disposal_approve(actor=second_admin, run=retention.disposal_propose(actor=people.admin))
    site_plan = Document.objects.get(case_id=str(application.pk), code="site_plan")
    retention.legal_hold_place(actor=people.admin, document=site_plan, reason="Audit of 2026 permits")

    retention.disposal_execute(actor=people.admin, run=run)

    results = dict(run.items.values_list("document__code", "result"))
    assert results == {"site_plan": "held", "ownership": "transferred", "architectural_design": "transferred"}
    site_plan.refresh_from_db()
    assert site_plan.disposed_at is None
    version = cases.versions_of(application).get(document__code="site_plan")
    assert documents_storage().exists(version.blob_key)


def test_a_blob_shared_with_a_kept_document_survives_the_disposal(people, permit_service, second_admin,
                                                                  django_capture_on_commit_callbacks):
    disposed, kept = cases.approved(people.citizen, people), cases.submitted(people.other_citizen)
    _due_now(disposed)
    shared = cases.versions_of(kept).get(document__code="site_plan").blob_key
    assert cases.versions_of(disposed).filter(blob_key=shared).exists()  # the same tiny PDF

    run = retention.disposal_approve(actor=second_admin, run=retention.disposal_propose(actor=people.admin))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        retention.disposal_execute(actor=people.admin, run=run)

    assert len(callbacks) == 1 and documents_storage().exists(shared)
    call_command("verify_documents")


def test_transferred_documents_go_to_the_archive_as_a_package_with_their_hashes(people, permit_service,
                                                                               second_admin):
    application = cases.approved(people.citizen, people)
    _due_now(application)
    run = retention.disposal_approve(actor=second_admin, run=retention.disposal_propose(actor=people.admin))
    retention.disposal_execute(actor=people.admin, run=run)

    event = AuditEvent.objects.filter(action="documents.disposal.dispose").first()
    package = event.after["package"]
    with documents_storage().open(package, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["disposal_run"] == run.pk and len(manifest["documents"]) == 3
    for entry in manifest["documents"]:
        for version in entry["versions"]:
            assert len(archive.read(version["path"])) == version["size"]


def test_only_administrators_run_disposal_and_only_they_or_auditors_hold(people, permit_service):
    application = cases.submitted(people.citizen)
    for user in (people.clerk, people.supervisor, people.citizen):
        with pytest.raises(PermissionDenied):
            retention.disposal_propose(actor=user)
        with pytest.raises(PermissionDenied):
            retention.legal_hold_place(actor=user, case=application, reason="x")
    with pytest.raises(ValidationFailed):
        retention.legal_hold_place(actor=people.admin, case=application, reason="  ")


def test_records_officers_do_it_all_from_the_admin(client, people, permit_service, second_admin,
                                                   django_capture_on_commit_callbacks):
    application = cases.approved(people.citizen, people)
    _due_now(application)
    client.force_login(people.admin)
    changelist = reverse("admin:documents_disposalrun_changelist")
    assert "Propose disposal of what is due" in client.get(changelist).content.decode()

    response = client.post(reverse("admin:documents_disposalrun_propose"), follow=True)
    run = DisposalRun.objects.get()
    assert "3 document(s)" in response.content.decode()
    response = client.post(changelist, {"action": "approve", "_selected_action": [run.pk]}, follow=True)
    assert "someone other than who proposed it" in response.content.decode()

    client.force_login(second_admin)
    client.post(changelist, {"action": "approve", "_selected_action": [run.pk]})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "execute", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.status == DisposalRun.Status.EXECUTED and run.approved_by == second_admin
    page = client.get(reverse("admin:documents_disposalrun_change", args=[run.pk])).content.decode()
    assert "Transferred to the archive" in page and "sha256" in page


def test_a_hold_is_placed_and_released_in_the_admin_through_the_services(client, people, permit_service):
    application = cases.submitted(people.citizen)
    site_plan = Document.objects.get(case_id=str(application.pk), code="site_plan")
    holds = reverse("admin:documents_legalhold_changelist")
    client.force_login(people.admin)

    response = client.post(reverse("admin:documents_legalhold_add"),
                           {"document": site_plan.pk, "case_type": "", "case_id": "", "reason": "Tax audit"})
    assert response.status_code == 302
    hold = site_plan.holds.get()
    assert AuditEvent.objects.filter(action="documents.hold.place", object_id=str(hold.pk)).exists()

    page = client.post(holds, {"action": "release", "_selected_action": [hold.pk]}).content.decode()
    assert "Reason" in page  # asks for the reason first
    client.post(holds, {"action": "release", "_selected_action": [hold.pk], "confirm": "yes", "reason": "Closed"})
    hold.refresh_from_db()
    assert (hold.released_by, hold.release_reason) == (people.admin, "Closed")


def test_staff_who_are_not_administrators_cannot_run_disposal_in_the_admin(client, people, permit_service):
    people.supervisor.is_staff = True
    people.supervisor.save()
    client.force_login(people.supervisor)
    assert client.post(reverse("admin:documents_disposalrun_propose")).status_code in (302, 403)
    assert not DisposalRun.objects.exists()


def test_on_s3_disposal_removes_every_version_of_the_blob(people, permit_service, second_admin, s3_documents,
                                                          django_capture_on_commit_callbacks):
    RetentionRule.objects.create(document_class=DocumentClass.objects.get(code="application-document"),
                                 outcome="refused", retention_years=5, disposal=DisposalAction.DESTROY)
    application = cases.refused(people.citizen, people)
    _due_now(application)
    key = cases.versions_of(application).get(document__code="site_plan").blob_key

    run = retention.disposal_approve(actor=second_admin, run=retention.disposal_propose(actor=people.admin))
    with django_capture_on_commit_callbacks(execute=True):
        retention.disposal_execute(actor=people.admin, run=run)

    listing = s3_documents.client.list_object_versions(Bucket=s3_documents.bucket, Prefix=s3_documents.key(key))
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
