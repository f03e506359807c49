"""After-commit work never fails committed work, and the blob sweeper finishes it.

What the document storage holds that nothing names — the blob of a submission that
was rolled back, the blob of a disposed document whose deletion failed after the
disposal committed, the chunks of an ended upload that could not be removed — is
removed by the timers once it is older than MUNIS_BLOB_SWEEP_GRACE_HOURS, each
removal a SweptBlob row and an audit event by the system. A cache that is down
fails no committed write. On local files and on a real S3 server (SeaweedFS).

S3 requests are signed with the current time, so the tests hand the timers a later
``now`` (``run_due_timers(now=...)``) rather than moving the clock.
"""

import contextlib
import datetime
import logging
import os
import shutil
import subprocess
import threading

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from config.s3 import documents_storage as s3_storage_settings
from core import audit
from core.audit import describe
from core.models import AuditEvent
from documents import retention
from documents.blobs import blob_key, documents_storage
from documents.models import DisposalAction, Document, DocumentVersion, RetentionRule
from documents.retention_models import DisposalRun
from documents.selectors import document_class
from documents.services import GeneratedFile, case_documents_add
from documents.sweeper import SweepPosition, SweptBlob, blobs_sweep
from eservices import services
from workflows.timers import run_due_timers

from . import cases
from .factories import PERMIT_DATA, TINY_PDF, UserFactory, pdf_upload, permit_files
from .seaweedfs import free_ports
from .test_resumable_uploads import CHUNK, put_chunk, start

HOUR = datetime.timedelta(hours=1)


def unique_pdf(tag):
    """A tiny PDF whose bytes (and so blob) are this test's own."""
    return TINY_PDF.replace(b"trailer", b"% " + tag.encode() + b"\ntrailer")


def sha256_key(content):
    import hashlib

    return blob_key(hashlib.sha256(content).hexdigest())


# --- the two storages, and how each refuses to delete ---------------------------------------------------------------

class LocalStore:
    name = "local"

    def holds(self, name):
        """Whether anything is stored under ``name`` (a key, or a folder ending in a slash)."""
        return os.path.exists(documents_storage().path(name.rstrip("/")))

    @contextlib.contextmanager
    def refusing_deletes(self, name):
        """Nothing in the folder of ``name`` (a blob's folder, or a chunk folder) can be removed until the
        block ends: the folder is made immutable for root, whom permissions do not stop, else read-only."""
        path = documents_storage().path(name.rstrip("/"))
        folder = path if name.endswith("/") else os.path.dirname(path)
        if os.geteuid() != 0:
            mode = os.stat(folder).st_mode
            os.chmod(folder, 0o555)
            try:
                yield
            finally:
                os.chmod(folder, mode)
            return
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", folder], capture_output=True).returncode:
            pytest.skip("running as root, and this file system or container cannot make a folder immutable "
                        "(chattr +i): no way to make deleting fail on local files here (the S3 case covers it)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", folder], check=True)


class S3Store:
    name = "s3"

    def __init__(self, s3):
        self.s3 = s3

    def versions(self, name):
        """Every version and delete marker under ``name``: removed means gone, not hidden."""
        listing = self.s3.client.list_object_versions(Bucket=self.s3.bucket, Prefix=self.s3.key(name))
        return listing.get("Versions", []) + listing.get("DeleteMarkers", [])

    def holds(self, name):
        return bool(self.versions(name))

    @contextlib.contextmanager
    def refusing_deletes(self, name):
        """Every version under ``name`` is under an S3 Object Lock legal hold until the block ends: the
        store refuses to delete it (as it would an object an operator holds, or a 403 of any kind)."""
        client, bucket = self.s3.client, self.s3.bucket
        held = [item for item in self.versions(name) if "Size" in item]
        for item in held:
            client.put_object_legal_hold(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"],
                                         LegalHold={"Status": "ON"})
        try:
            yield
        finally:
            for item in held:
                client.put_object_legal_hold(Bucket=bucket, Key=item["Key"], VersionId=item["VersionId"],
                                             LegalHold={"Status": "OFF"})


@pytest.fixture(params=["local", "s3"])
def store(request):
    if request.param == "s3":
        return S3Store(request.getfixturevalue("s3_documents"))
    return LocalStore()


def swept(action="documents.blob.sweep"):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- blobs of rolled-back transactions ------------------------------------------------------------------------------

class Interrupted(Exception):
    pass


def test_a_rolled_back_submission_leaves_a_blob_the_timers_sweep_after_the_grace_period(client, people, store,
                                                                                       caplog):
    kept = cases.submitted(people.other_citizen)
    kept_key = DocumentVersion.objects.get(document__case_id=str(kept.pk), document__code="site_plan").blob_key
    lost = unique_pdf("rolled back")
    with pytest.raises(Interrupted), transaction.atomic():
        services.application_apply(actor=people.citizen, service_type=cases.permit_service(), data=PERMIT_DATA,
                                   files={**permit_files(), "site_plan": pdf_upload("site_plan.pdf", lost)})
        raise Interrupted("the case could not be started")
    orphan = sha256_key(lost)
    assert store.holds(orphan) and not DocumentVersion.objects.filter(blob_key=orphan).exists()

    now = timezone.now()
    run_due_timers(now=now + 23 * HOUR)  # within the grace period (24 hours by default)
    assert store.holds(orphan) and not SweptBlob.objects.exists()

    with caplog.at_level(logging.INFO, logger="documents.sweeper"):
        run_due_timers(now=now + 25 * HOUR)

    assert not store.holds(orphan)
    assert store.holds(kept_key)  # named by a kept document: never removed
    (row,) = SweptBlob.objects.all()
    assert (row.key, row.size, row.reason) == (orphan, len(lost), "orphan")
    (event,) = swept()
    assert (event.actor_id, event.actor_label, event.object_type, event.object_id) == (
        None, "system", "documents.sweptblob", str(row.pk))
    assert event.after["key"] == orphan and event.after["reason"] == "orphan"
    assert "Blob sweep: examined" in caplog.text and "removed orphan 1" in caplog.text
    assert describe(event) == (f"system removed {orphan} ({len(lost)} bytes) from the document storage: "
                               "nothing kept names it (orphan).")
    client.force_login(people.admin)  # where an operator looks
    page = client.get(reverse("admin:documents_sweptblob_changelist")).content.decode()
    assert orphan in page and "Named by no document (e.g. a submission that was rolled back)" in page

    run_due_timers(now=now + 26 * HOUR)  # nothing more to do, and nothing of the kept case touched
    assert SweptBlob.objects.count() == 1 and store.holds(kept_key)


def test_a_blob_named_again_while_it_waits_to_be_swept_is_kept(people, store):
    """A submission that finds the bytes stored already only names them: it claims the key, and a blob it
    names is never swept, however old."""
    content = unique_pdf("named again")
    with pytest.raises(Interrupted), transaction.atomic():
        services.application_apply(actor=people.citizen, service_type=cases.permit_service(), data=PERMIT_DATA,
                                   files={**permit_files(), "site_plan": pdf_upload("site_plan.pdf", content)})
        raise Interrupted()
    services.application_apply(actor=people.other_citizen, service_type=cases.permit_service(), data=PERMIT_DATA,
                               files={**permit_files(), "site_plan": pdf_upload("site_plan.pdf", content)})

    run = blobs_sweep(now=timezone.now() + 48 * HOUR)

    assert run.examined >= 2 and not run.removed and store.holds(sha256_key(content))
    assert not SweptBlob.objects.exists() and not swept()


@pytest.mark.postgres
@pytest.mark.skipif("postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
                    reason="the claim is a PostgreSQL advisory lock; SQLite serialises the writers instead")
def test_a_blob_a_running_transaction_names_is_not_swept_under_it(transactional_db, people, permit_service):
    """The race the claim closes: an old orphan's bytes are uploaded again, so the store writes nothing and
    only names the blob; the sweeper runs after the bytes were found and before the new version commits."""
    content = unique_pdf("raced")
    with pytest.raises(Interrupted), transaction.atomic():
        services.application_apply(actor=people.citizen, service_type=cases.permit_service(), data=PERMIT_DATA,
                                   files={**permit_files(), "site_plan": pdf_upload("site_plan.pdf", content)})
        raise Interrupted()
    application = cases.submitted(people.other_citizen)
    upload = GeneratedFile.of(content, name="site_plan.pdf", content_type="application/pdf")
    named, swept_meanwhile, outcome = threading.Event(), threading.Event(), {}

    def add_version():
        """The store's write path for a case's documents, held open after it stored (here: found) the bytes."""
        try:
            with transaction.atomic(), audit.batch():
                case_documents_add(actor=people.other_citizen, case=application, uploads={
                    "site_plan": ("Site plan", document_class("application-document"), upload)})
                named.set()
                assert swept_meanwhile.wait(timeout=60)
        except Exception as exc:  # noqa: BLE001 - reported to the test
            outcome["error"] = exc
        finally:
            named.set()
            connection.close()

    thread = threading.Thread(target=add_version)
    thread.start()
    assert named.wait(timeout=60)
    run = blobs_sweep(now=timezone.now() + 48 * HOUR)
    swept_meanwhile.set()
    thread.join(timeout=60)

    assert "error" not in outcome, outcome
    assert (run.busy, dict(run.removed)) == (1, {})
    version = DocumentVersion.objects.get(document__case_id=str(application.pk), document__code="site_plan", number=2)
    assert documents_storage().stored_size(version.blob_key) == len(content)
    assert not blobs_sweep(now=timezone.now() + 48 * HOUR).removed  # committed: named now
    assert not SweptBlob.objects.exists() and not swept()


def test_a_preview_of_a_kept_document_is_never_swept(people, store):
    cases.submitted(people.citizen)
    run_due_timers()  # renders the previews
    preview_keys = {key for key in DocumentVersion.objects.values_list("preview__blob_key", flat=True) if key}
    assert preview_keys

    run_due_timers(now=timezone.now() + 100 * HOUR)

    assert all(store.holds(key) for key in preview_keys) and not SweptBlob.objects.exists()


def test_a_run_reads_a_bounded_batch_and_the_next_one_carries_on(db, store, settings):
    """A huge store never stalls the timers: each run lists at most MUNIS_BLOB_SWEEP_BATCH keys, in key order,
    and the next one starts after the last key the previous one read."""
    settings.MUNIS_BLOB_SWEEP_BATCH = 2
    storage = documents_storage()
    keys = sorted(sha256_key(content) for content in (unique_pdf(f"orphan {n}") for n in range(5)))
    for key in keys:
        storage.save(key, ContentFile(b"bytes nothing names"))
    later = timezone.now() + 25 * HOUR

    runs = [blobs_sweep(now=later) for _ in range(3)]

    assert [run.examined for run in runs] == [2, 2, 1]
    assert list(SweptBlob.objects.order_by("id").values_list("key", flat=True)) == keys
    assert not any(store.holds(key) for key in keys)
    assert SweepPosition.objects.get(prefix="sha256").last_key == ""  # round done: the next run starts over


def test_a_blob_under_object_lock_retention_is_left_until_its_date(db, s3_documents):
    storage = documents_storage()
    key = sha256_key(unique_pdf("retained"))
    storage.save(key, ContentFile(b"kept by law"))
    storage.retain(key, timezone.now() + datetime.timedelta(days=1))

    run = blobs_sweep(now=timezone.now() + 25 * HOUR)

    assert (run.retained, dict(run.removed)) == (1, {})
    assert storage.stored_size(key) == len(b"kept by law") and not SweptBlob.objects.exists() and not swept()


def test_a_storage_that_does_not_answer_stops_the_sweep_not_the_timers(people, settings, caplog):
    (port,) = free_ports(1)
    settings.STORAGES = {**settings.STORAGES, "documents": s3_storage_settings(
        bucket="munis-documents", endpoint_url=f"http://127.0.0.1:{port}", access_key="k", secret_key="s")}

    with caplog.at_level(logging.WARNING, logger="documents.sweeper"):
        run = run_due_timers(now=timezone.now() + 25 * HOUR)

    assert run.failed == 0
    assert "The blob sweep stopped: the document storage failed (EndpointConnectionError" in caplog.text


# --- disposal whose deletion fails after the commit --------------------------------------------------------------

@pytest.fixture
def second_admin(transactional_db):
    return UserFactory(full_name="Bobur Records", is_staff=True, is_superuser=True)


def test_a_disposal_whose_blob_deletion_fails_after_commit_still_succeeds_and_the_sweep_finishes_it(
        transactional_db, client, people, permit_service, second_admin, store, caplog):
    # document_class: a transactional test before this one may have emptied the tables the migrations filled
    RetentionRule.objects.create(document_class=document_class("application-document"), outcome="refused",
                                 retention_years=5, disposal=DisposalAction.DESTROY)
    application = cases.refused(people.citizen, people)
    documents = Document.objects.filter(case_id=str(application.pk), code__in=[
        "site_plan", "architectural_design", "ownership"])
    documents.update(disposal_due=timezone.localdate() - datetime.timedelta(days=1))
    key = DocumentVersion.objects.get(document__case_id=str(application.pk), document__code="site_plan").blob_key
    run = retention.disposal_approve(actor=second_admin, run=retention.disposal_propose(actor=people.admin))
    client.force_login(people.admin)

    with store.refusing_deletes(key), caplog.at_level(logging.WARNING, logger="documents.sweeper"):
        response = client.post(reverse("admin:documents_disposalrun_changelist"),
                               {"action": "execute", "_selected_action": [run.pk]}, follow=True)

    assert response.status_code == 200 and "Carried out." in response.content.decode()
    run.refresh_from_db()
    assert run.status == DisposalRun.Status.EXECUTED
    assert all(document.disposed_at is not None for document in documents)
    assert store.holds(key)
    assert f"Blob {key} of a disposed document was not deleted" in caplog.text
    assert "until the blob sweeper removes it" in caplog.text

    run_due_timers(now=timezone.now() + 25 * HOUR)

    assert not store.holds(key)
    (row,) = SweptBlob.objects.all()
    assert (row.key, row.reason) == (key, "disposed")
    (event,) = swept()
    assert event.actor_id is None and event.after["reason"] == "disposed"


# --- chunks of ended uploads ---------------------------------------------------------------------------------------

def test_leftover_chunks_of_an_ended_upload_are_swept_and_a_live_uploads_are_not(
        client, people, store, settings, monkeypatch, django_capture_on_commit_callbacks, caplog):
    from documents import resumable

    monkeypatch.setattr(resumable, "CHUNK_BYTES", CHUNK)
    settings.MUNIS_BLOB_SWEEP_GRACE_HOURS = 1
    client.force_login(people.citizen)
    ended = start(client).json()["id"]
    put_chunk(client, ended, 0)
    put_chunk(client, ended, 1)
    live = start(client).json()["id"]
    put_chunk(client, live, 0)
    ended_dir, live_dir = f"uploads/{ended}/", f"uploads/{live}/"

    with store.refusing_deletes(ended_dir), caplog.at_level(logging.WARNING, logger="documents.resumable"), \
            django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/api/v1/uploads/{ended}/")
    assert response.status_code == 204
    assert store.holds(ended_dir)
    assert f"they stay under uploads/{ended}/ until the blob sweeper removes them" in caplog.text

    with django_capture_on_commit_callbacks(execute=True):
        run_due_timers(now=timezone.now() + 2 * HOUR)  # past the (1 hour) grace, before the live one expires

    assert not store.holds(ended_dir)
    assert store.holds(live_dir)
    (row,) = SweptBlob.objects.all()
    assert (row.key, row.size, row.reason) == (ended_dir, 2 * CHUNK, "chunks")
    (event,) = swept()
    assert event.actor_id is None and event.after["chunks"] == 2
