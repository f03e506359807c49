"""The citizen's journey around a case, as they meet it in the browser: deleting a draft, withdrawing an
application before its decision, files kept when the form comes back with an error, and what happens next."""

from django.urls import reverse

from core.models import AuditEvent
from documents.blobs import documents_storage
from documents.models import Document
from eservices import services
from eservices.models import Application

from . import cases
from .factories import TINY_PDF, pdf_upload


def _unique_pdf(tag):
    """A valid PDF whose bytes (so whose blob) no other test file shares."""
    return TINY_PDF.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + tag.encode() + b"\n", 1)


# --- deleting a draft --------------------------------------------------------------------------------------------

def test_a_citizen_deletes_their_draft_after_confirming_and_its_files_go(
        client, people, permit_service, django_capture_on_commit_callbacks):
    draft = cases.draft(people.citizen)
    extra = services.application_save_draft(
        actor=people.citizen, service_type=permit_service, application=draft, data=draft.data,
        files={"ownership": pdf_upload("deed.pdf", _unique_pdf("draft-only"))})
    own_blob = cases.versions_of(extra).get(document__code="ownership").blob_key
    client.force_login(people.citizen)

    page = client.get(reverse("eservices:application", args=[draft.pk]))
    assert reverse("eservices:delete_draft", args=[draft.pk]) in page.content.decode()
    confirm = client.get(reverse("eservices:delete_draft", args=[draft.pk]))
    assert confirm.status_code == 200
    assert "Are you sure you want to delete" in confirm.content.decode()
    assert Application.objects.filter(pk=draft.pk).exists()  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eservices:delete_draft", args=[draft.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("eservices:my_applications")
    assert f"The draft Draft #{draft.pk} was deleted." in response.content.decode()
    assert not Application.objects.filter(pk=draft.pk).exists()
    documents = Document.objects.filter(case_id=str(draft.pk))
    assert documents.count() == 2 and all(doc.disposed_at and doc.outcome == "draft_deleted" for doc in documents)
    assert not documents_storage().exists(own_blob)  # the draft's own file is gone from the storage
    deleted = AuditEvent.objects.get(action="eservices.application.delete_draft")
    assert (deleted.actor, deleted.object_label, deleted.trail_key) == (
        people.citizen, f"Draft #{draft.pk}", f"eservices.application:{draft.pk}")
    assert sorted(deleted.after["documents"]) == sorted(documents.values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="documents.document.discard", trail_key=deleted.trail_key).count() == 2
    assert client.get(reverse("eservices:application", args=[draft.pk])).status_code == 404


def test_a_file_the_draft_shares_with_a_kept_case_stays_in_the_storage(
        client, people, permit_service, django_capture_on_commit_callbacks):
    kept = cases.submitted(people.citizen)
    draft = cases.draft(people.citizen)  # the same tiny PDF as the submitted case's site plan
    shared = cases.versions_of(draft).get().blob_key
    client.force_login(people.citizen)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("eservices:delete_draft", args=[draft.pk]))

    assert documents_storage().exists(shared)
    response = client.get(reverse("eservices:document", args=[kept.pk, cases.versions_of(kept).first().pk]))
    assert response.status_code == 200


def test_nobody_else_can_delete_a_draft(client, people, permit_service):
    draft = cases.draft(people.citizen)
    for someone in (people.other_citizen, people.clerk, people.auditor):
        client.force_login(someone)
        assert client.get(reverse("eservices:delete_draft", args=[draft.pk])).status_code == 404
        assert client.post(reverse("eservices:delete_draft", args=[draft.pk])).status_code == 404
    assert Application.objects.filter(pk=draft.pk).exists()
    assert not AuditEvent.objects.filter(action="eservices.application.delete_draft").exists()


def test_a_submitted_application_cannot_be_deleted(client, people, permit_service):
    application = cases.submitted(people.citizen)
    client.force_login(people.citizen)

    for response in (client.get(reverse("eservices:delete_draft", args=[application.pk])),
                     client.post(reverse("eservices:delete_draft", args=[application.pk]))):
        assert response.status_code == 409
        assert "A submitted application cannot be deleted" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()
    assert reverse("eservices:delete_draft", args=[application.pk]) not in client.get(reverse("eservices:application", args=[application.pk])).content.decode()
