"""The document store as its users meet it: versions that never overwrite,
blobs checked against their hashes, confidential reads on the audit trail,
check-out locks, and a store that refuses to hand out damaged bytes."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.models import AuditEvent
from documents import services
from documents.blobs import blob_key, documents_storage
from documents.models import Document, DocumentVersion, VersionImmutable
from documents.uploads import check_upload

from . import cases
from .factories import TINY_PDF, pdf_upload


def _download(client, application, version):
    response = client.get(reverse("eservices:document", args=[application.pk, version.pk]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else response.content
    return response, body


class LocalStore:
    name = "local"

    def tamper(self, key, data):
        """Overwrite a blob behind the store's back, as a failing disk or an intruder would."""
        with open(documents_storage().path(key), "wb") as handle:
            handle.write(data)

    def remove(self, key):
        documents_storage().delete(key)


class S3Store:
    name = "s3"

    def __init__(self, s3):
        self.s3 = s3

    def tamper(self, key, data):
        self.s3.client.put_object(Bucket=self.s3.bucket, Key=self.s3.key(key), Body=data)

    def remove(self, key):
        self.s3.client.delete_object(Bucket=self.s3.bucket, Key=self.s3.key(key))


@pytest.fixture(params=["local", "s3"], autouse=True)
def store(request):
    """Every test here runs on local files and on a real S3 server (SeaweedFS)."""
    if request.param == "s3":
        return S3Store(request.getfixturevalue("s3_documents"))
    return LocalStore()


def _site_plan(application):
    return cases.versions_of(application).get(document__code="site_plan")


def test_the_applicant_downloads_exactly_the_bytes_uploaded(client, people, permit_service):
    application = cases.submitted(people.citizen)
    version = _site_plan(application)
    client.force_login(people.citizen)

    response, body = _download(client, application, version)

    assert response.status_code == 200 and body == TINY_PDF
    assert response["Content-Length"] == str(len(TINY_PDF))
    assert 'filename="site_plan.pdf"' in response["Content-Disposition"]


def test_identical_bytes_are_stored_once_however_many_versions_name_them(people, permit_service):
    first, second = cases.submitted(people.citizen), cases.submitted(people.other_citizen)
    a, b = _site_plan(first), _site_plan(second)
    assert a.pk != b.pk and a.blob_key == b.blob_key and a.sha256 == b.sha256


def test_a_blob_stored_twice_at_once_stays_one_blob_under_its_own_key(store):
    """Two uploads of the same new bytes racing past the "already stored?" check both write the key:
    the second replaces the first with the same bytes, under the same name (never "<key>_Ab3x")."""
    storage, key = documents_storage(), blob_key(hashlib.sha256(b"same bytes").hexdigest())
    assert storage.stored_size(key) is None

    assert storage.save(key, ContentFile(b"same bytes")) == key
    assert storage.save(key, ContentFile(b"same bytes")) == key

    folder = key.rsplit("/", 1)[0]
    assert storage.listdir(folder)[1] == [key.rsplit("/", 1)[1]]
    assert storage.stored_size(key) == len(b"same bytes")


def test_verify_documents_passes_then_names_a_tampered_blob(people, permit_service, capsys, store):
    application = cases.submitted(people.citizen)  # three documents, the same tiny PDF: one blob
    call_command("verify_documents")
    assert "1 blob(s) of 3 version(s) verified" in capsys.readouterr().out

    version = _site_plan(application)
    store.tamper(version.blob_key, TINY_PDF.replace(b"200 200", b"200 201"))  # same size, one byte changed
    with pytest.raises(CommandError, match=r"1 of 1 document blob\(s\) missing or altered"):
        call_command("verify_documents")
    report = capsys.readouterr().err
    assert version.blob_key in report and "content differs" in report and f"#{version.pk}" in report


def test_a_missing_blob_is_reported_too(people, permit_service, capsys, store):
    application = cases.submitted(people.citizen)
    store.remove(_site_plan(application).blob_key)
    with pytest.raises(CommandError):
        call_command("verify_documents")
    assert "missing" in capsys.readouterr().err


def test_a_damaged_blob_is_never_served_as_the_document(client, people, permit_service, store):
    application = cases.submitted(people.citizen)
    version = _site_plan(application)
    store.tamper(version.blob_key, TINY_PDF.replace(b"200 200", b"200 201"))  # same size, other bytes
    client.force_login(people.citizen)

    response, body = _download(client, application, version)

    assert response.status_code == 503
    assert "failed its integrity check" in body.decode()
    assert TINY_PDF[:20] not in body


def test_every_read_of_a_confidential_document_is_on_the_case_trail(client, people, permit_service):
    application = cases.submitted(people.citizen)
    version = _site_plan(application)
    assert version.document.confidentiality == "confidential"
    reads = AuditEvent.objects.filter(action="documents.version.read")

    for reader in (people.clerk, people.auditor, people.citizen):
        client.force_login(reader)
        assert _download(client, application, version)[0].status_code == 200

    assert [(e.actor_id, e.after["version"], e.after["sha256"]) for e in reads.order_by("id")] == [
        (reader.pk, 1, version.sha256) for reader in (people.clerk, people.auditor, people.citizen)]
    assert all(e.trail_key == f"eservices.application:{application.pk}" for e in reads)


def test_nobody_outside_the_case_reads_its_documents_and_a_refusal_is_not_logged_as_a_read(
        client, people, permit_service):
    application = cases.submitted(people.citizen)
    version = _site_plan(application)
    for outsider in (people.other_citizen, people.fire, people.supplier, people.ministry):
        client.force_login(outsider)
        response, body = _download(client, application, version)
        assert response.status_code == 404, outsider
        assert b"%PDF" not in body
        with pytest.raises(PermissionDenied):
            services.version_open(actor=outsider, version=version)
    assert not AuditEvent.objects.filter(action="documents.version.read").exists()


def test_versions_are_immutable(people, permit_service):
    version = _site_plan(cases.submitted(people.citizen))
    version.comment = "rewritten"
    with pytest.raises(VersionImmutable):
        version.save()
    with pytest.raises(VersionImmutable):
        version.delete()
    with pytest.raises(VersionImmutable):
        DocumentVersion.objects.filter(pk=version.pk).update(comment="rewritten")
    with pytest.raises(VersionImmutable):
        DocumentVersion.objects.filter(pk=version.pk).delete()


def _upload(name="site_plan_v2.pdf"):
    return check_upload(pdf_upload(name, TINY_PDF + b"% edited\n"), field="file")


def test_a_checked_out_document_takes_a_new_version_only_with_the_holders_token(people, permit_service):
    application = cases.submitted(people.citizen)
    document = _site_plan(application).document
    token = services.document_check_out(actor=people.citizen, document=document)

    with pytest.raises(InvalidTransition) as refused:
        services.version_add(actor=people.citizen, document=document, upload=_upload())
    assert refused.value.code == "document_locked"
    with pytest.raises(InvalidTransition) as wrong:
        services.version_add(actor=people.citizen, document=document, upload=_upload(), lock_token="guess")
    assert wrong.value.code == "lock_token_mismatch"

    version = services.document_check_in(actor=people.citizen, document=document, lock_token=token,
                                         upload=_upload(), comment="Clearer scan")
    document.refresh_from_db()
    assert (version.number, version.comment, document.lock_token) == (2, "Clearer scan", "")
    actions = list(AuditEvent.objects.filter(object_type="documents.document").values_list("action", flat=True))
    assert actions == ["documents.document.check_out", "documents.document.check_in"]


def test_someone_else_cannot_add_versions_to_a_citizens_documents(people, permit_service):
    document = _site_plan(cases.submitted(people.citizen)).document
    for other in (people.other_citizen, people.clerk):
        with pytest.raises(PermissionDenied):
            services.version_add(actor=other, document=document, upload=_upload())
        with pytest.raises(PermissionDenied):
            services.document_check_out(actor=other, document=document)
    assert document.versions.count() == 1


def test_the_head_of_the_owning_department_breaks_a_stale_check_out_with_a_reason(people, permit_service):
    document = _site_plan(cases.submitted(people.citizen)).document
    services.document_check_out(actor=people.citizen, document=document)

    with pytest.raises(PermissionDenied):
        services.document_break_lock(actor=people.clerk, document=document, reason="Away")
    with pytest.raises(ValidationFailed):
        services.document_break_lock(actor=people.supervisor, document=document, reason=" ")
    services.document_break_lock(actor=people.supervisor, document=document, reason="Applicant unreachable")

    document.refresh_from_db()
    assert not document.is_locked()
    event = AuditEvent.objects.get(action="documents.document.break_lock")
    assert (event.actor_id, event.after["reason"], event.before["checked_out_by"]) == (
        people.supervisor.pk, "Applicant unreachable", people.citizen.full_name)
    assert Document.objects.get(pk=document.pk).versions.count() == 1
