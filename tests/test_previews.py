"""Previews of documents as clerks and applicants meet them: made in the
background, never while a permit is submitted; a damaged or stubborn file
fails on its own; each preview is rendered once however many runners there
are; and a preview is read exactly like the document it shows."""

import functools
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core.models import AuditEvent
from documents import previews
from documents.blobs import blob_read
from documents.models import Document
from documents.pdf import html_to_pdf
from documents.previews import DocumentPreview, previews_make_pending
from documents.retention import _blobs_no_longer_named
from documents.selectors import document_class
from documents.services import case_document_add_generated
from eservices import services
from eservices.document_classes import APPLICATION_DOCUMENT
from workflows.timers import run_due_timers

from . import cases
from .conftest import on_postgres
from .factories import PERMIT_DATA, pdf_upload
from .test_concurrency import run_together
from .test_documents import LocalStore, S3Store

READY, FAILED = DocumentPreview.Status.READY, DocumentPreview.Status.FAILED


@pytest.fixture(params=["local", "s3"], autouse=True)
def store(request):
    """Every test here runs on local files and on a real S3 server (SeaweedFS)."""
    if request.param == "s3":
        return S3Store(request.getfixturevalue("s3_documents"))
    return LocalStore()


@functools.cache
def site_plan_pdf():
    """A real page, A4, as WeasyPrint makes it."""
    return html_to_pdf("<h1>Site plan</h1><p>Plot 12, Chilonzor district.</p>")


def image(kind, size, *, orientation=None):
    picture = Image.new("RGB", size, (200, 40, 40))
    output = io.BytesIO()
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        picture.save(output, format=kind, exif=exif)
    else:
        picture.save(output, format=kind)
    return output.getvalue()


def submit(applicant, **files):
    files = {"site_plan": SimpleUploadedFile("site_plan.pdf", site_plan_pdf(), content_type="application/pdf"),
             "architectural_design": pdf_upload("architectural_design.pdf"), "ownership": pdf_upload("ownership.pdf"),
             **files}
    return services.application_apply(actor=applicant, service_type=cases.permit_service(), data=PERMIT_DATA,
                                      files=files)


def preview_of(application, code):
    return DocumentPreview.objects.get(version__document__case_id=str(application.pk), version__document__code=code)


def png_size(data):
    """(width, height) from the PNG's header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def png_of(preview):
    return blob_read(preview.blob_key, sha256=preview.sha256, size=preview.size)


def preview_url(application, code):
    version = cases.versions_of(application).get(document__code=code)
    return reverse("eservices:document_preview", args=[application.pk, version.pk])


def test_a_submitted_permit_has_no_previews_until_the_timers_run(people, permit_service):
    application = submit(people.citizen)
    assert not DocumentPreview.objects.exists()

    run_due_timers()

    previews_of_case = DocumentPreview.objects.filter(version__document__case_id=str(application.pk))
    assert previews_of_case.count() == 3 and {p.status for p in previews_of_case} == {READY}
    plan = preview_of(application, "site_plan")
    width, height = png_size(png_of(plan))
    assert (width, height) == (plan.width, plan.height) and 0 < width <= 320 and height > width  # A4 portrait
    assert plan.blob_key.startswith("sha256/") and plan.size == len(png_of(plan))


def test_photos_and_scans_get_previews_upright(people, permit_service):
    application = submit(
        people.citizen,
        site_plan=SimpleUploadedFile("site_plan.jpg", image("JPEG", (60, 30), orientation=6), content_type="image/jpeg"),
        ownership=SimpleUploadedFile("ownership.png", image("PNG", (640, 200)), content_type="image/png"))

    call_command("make_previews", "--limit", "10")

    photo, scan = preview_of(application, "site_plan"), preview_of(application, "ownership")
    assert photo.status == scan.status == READY
    assert png_size(png_of(photo)) == (30, 60)  # the camera was held sideways: EXIF says turn it
    assert png_size(png_of(scan)) == (320, 100)


def test_a_damaged_pdf_fails_and_the_rest_of_the_batch_goes_on(people, permit_service, store):
    application = submit(people.citizen)
    plan = cases.versions_of(application).get(document__code="site_plan")
    store.tamper(plan.blob_key, site_plan_pdf()[:-10] + b"x" * 10)  # bytes changed after storing

    done = previews_make_pending()

    assert done == {READY: 2, FAILED: 1}
    failed = preview_of(application, "site_plan")
    assert failed.status == FAILED and "BlobDamaged" in failed.error and not failed.blob_key
    assert preview_of(application, "ownership").status == READY


def test_a_pdf_that_takes_too_long_fails_on_its_own(people, permit_service, monkeypatch, tmp_path):
    stuck = tmp_path / "pdftoppm"
    stuck.write_text("#!/bin/sh\nexec sleep 30\n")
    stuck.chmod(0o755)
    monkeypatch.setattr(previews, "PDFTOPPM", str(stuck))
    monkeypatch.setattr(previews, "PDFTOPPM_TIMEOUT", 0.3)
    application = submit(
        people.citizen, ownership=SimpleUploadedFile("ownership.png", image("PNG", (40, 40)), content_type="image/png"))

    done = previews_make_pending()

    assert done == {FAILED: 2, READY: 1}
    assert "took longer than 0.3 s" in preview_of(application, "site_plan").error
    assert preview_of(application, "ownership").status == READY


def test_running_the_batch_twice_does_nothing_the_second_time(people, permit_service):
    submit(people.citizen)
    assert sum(previews_make_pending().values()) == 3
    before = list(DocumentPreview.objects.order_by("pk").values_list("pk", "status", "blob_key", "updated_at"))

    assert previews_make_pending() == {}
    assert list(DocumentPreview.objects.order_by("pk").values_list("pk", "status", "blob_key", "updated_at")) == before


def test_other_types_are_not_previewed_and_disposed_documents_are_skipped(people, permit_service):
    application = submit(people.citizen)
    case_document_add_generated(actor=None, case=application, code="notes", title="Notes",
                                document_class=document_class(APPLICATION_DOCUMENT), content=b"plain words",
                                name="notes.txt", content_type="text/plain")
    Document.objects.filter(case_id=str(application.pk), code="ownership").update(disposed_at=timezone.now())

    assert previews_make_pending() == {READY: 2, DocumentPreview.Status.UNSUPPORTED: 1}
    assert not DocumentPreview.objects.filter(version__document__code="ownership").exists()


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="row locks need PostgreSQL; CI runs this test on PostgreSQL")
def test_two_runners_at_once_render_each_preview_once(transactional_db, people, permit_service, monkeypatch):
    submit(people.citizen)
    submit(people.other_citizen)
    rendered, lock, render = [], threading.Lock(), previews._render

    def counting_render(version):
        with lock:
            rendered.append(version.pk)
        return render(version)

    monkeypatch.setattr(previews, "_render", counting_render)

    results = run_together([previews_make_pending, previews_make_pending])

    assert [outcome for outcome, _value in results] == ["ok", "ok"]
    assert sorted(rendered) == sorted(set(rendered)) and len(rendered) == 6
    assert sum(sum(value.values()) for _outcome, value in results) == 6
    assert DocumentPreview.objects.filter(status=READY).count() == 6


def test_the_applicant_and_the_clerk_see_the_preview_and_nobody_else(client, people, permit_service):
    application = submit(people.citizen)
    url = preview_url(application, "site_plan")
    client.force_login(people.citizen)
    assert client.get(url).status_code == 404  # not made yet
    previews_make_pending()
    reads = AuditEvent.objects.filter(action="documents.preview.read")

    for reader in (people.citizen, people.clerk):
        client.force_login(reader)
        response = client.get(url)
        body = b"".join(response.streaming_content)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert "private" in response["Cache-Control"] and 0 < png_size(body)[0] <= 320
    client.force_login(people.other_citizen)
    assert client.get(url).status_code == 404

    assert [(e.actor_id, e.trail_key) for e in reads.order_by("id")] == [
        (reader.pk, f"eservices.application:{application.pk}") for reader in (people.citizen, people.clerk)]


def test_the_case_page_links_a_preview_only_once_it_is_ready(client, people, permit_service):
    application = submit(people.citizen)
    client.force_login(people.citizen)
    page = reverse("eservices:application", args=[application.pk])
    assert "preview.png" not in client.get(page).content.decode()

    previews_make_pending()

    html = client.get(page).content.decode()
    assert html.count("preview.png") == 3 and preview_url(application, "site_plan") in html


def test_disposing_of_a_document_deletes_its_preview_too(people, permit_service):
    application = submit(people.citizen)
    previews_make_pending()
    plan, ownership = preview_of(application, "site_plan"), preview_of(application, "ownership")
    Document.objects.filter(case_id=str(application.pk), code__in=["site_plan", "ownership"]).update(
        disposed_at=timezone.now())

    gone = _blobs_no_longer_named([plan.version.document_id, ownership.version.document_id])

    assert plan.blob_key in gone and plan.version.blob_key in gone
    assert ownership.blob_key not in gone  # the same blank page previews the architectural design, which is kept
