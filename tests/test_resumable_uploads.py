"""Resumable uploads: a citizen sends a big file in chunks through
``/api/v1/uploads/`` (resuming after a dropped connection), then files a permit
with the finished upload in place of the file.

The API tests run on local files and on a real S3 server (SeaweedFS): each
chunk is an object of its own there. Small chunks (64 KiB) keep them quick; the
streaming test sends 1 GiB in the real 8 MiB chunks.
"""

import datetime
import hashlib
import io
import time
import tracemalloc
import uuid
from pathlib import Path

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.errors import ValidationFailed
from core.models import AuditEvent
from documents import resumable
from documents.blobs import documents_storage
from documents.models import DocumentVersion, UploadSession
from workflows.timers import run_due_timers

from . import cases
from .conftest import on_postgres
from .factories import PERMIT_DATA, TINY_PDF, pdf_upload
from .test_bad_input import field_error_shown, kept_for_the_form, page, snapshot, stored_files
from .test_big_uploads import MEMORY_LIMIT, _reset_peak_rss, _status_kib, big_pdf_parts
from .test_browser import (  # noqa: F401  (shared fixtures)
    _sync_db_from_playwright_thread,
    browser,
    fill_permit_form,
    logged_in_page,
)

URL = "/api/v1/uploads/"
CHUNK = 64 * 1024
SIZE = 5 * CHUNK + 1234  # five full chunks and a short last one
APPLY_URL = "/services/building-permit/apply/"


def pdf_bytes(size):
    """A plain PDF of exactly ``size`` bytes."""
    return b"".join(big_pdf_parts(size))


DATA = pdf_bytes(SIZE)


class LocalChunks:
    name = "local"

    def chunks(self, session_id):
        """What the storage holds for the session."""
        folder = Path(documents_storage().path(resumable.chunk_dir(session_id)))
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class S3Chunks:
    name = "s3"

    def __init__(self, s3):
        self.s3 = s3

    def chunks(self, session_id):
        """Every version and delete marker under the session's prefix: removed means gone, not hidden."""
        prefix = self.s3.key(resumable.chunk_dir(session_id)) + "/"
        listing = self.s3.client.list_object_versions(Bucket=self.s3.bucket, Prefix=prefix)
        return sorted(item["Key"].rsplit("/", 1)[1]
                      for item in listing.get("Versions", []) + listing.get("DeleteMarkers", []))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(resumable, "CHUNK_BYTES", CHUNK)


@pytest.fixture(params=["local", "s3"])
def any_store(request):
    """The test runs on local files and on a real S3 server (SeaweedFS)."""
    if request.param == "s3":
        return S3Chunks(request.getfixturevalue("s3_documents"))
    return LocalChunks()


@pytest.fixture
def store(any_store, small_chunks):
    return any_store


@pytest.fixture
def citizen(client, people):
    client.force_login(people.citizen)
    return people.citizen


def start(client, size=SIZE, name="site_plan.pdf"):
    return client.post(URL, {"name": name, "size": size}, content_type="application/json")


def put(client, session_id, body, first, total=SIZE, **headers):
    headers.setdefault("Content-Range", f"bytes {first}-{first + len(body) - 1}/{total}")
    return client.generic("PUT", f"{URL}{session_id}/", body, content_type="application/octet-stream",
                          headers=headers)


def put_chunk(client, session_id, index, data=DATA):
    return put(client, session_id, data[index * CHUNK:(index + 1) * CHUNK], index * CHUNK, total=len(data))


def upload(client, data=DATA, name="site_plan.pdf"):
    """Start an upload and send every chunk; returns the session's id."""
    response = start(client, len(data), name)
    assert response.status_code == 201, response.content
    session_id = response.json()["id"]
    for index in range((len(data) + CHUNK - 1) // CHUNK):
        assert put_chunk(client, session_id, index, data).status_code == 200
    return session_id


def problem(response):
    assert response["Content-Type"] == "application/problem+json", response.content
    return response.json()


def audited(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- the API, on local files and on S3 ---------------------------------------------------------------------------------

def test_a_file_arrives_in_chunks_in_order_and_completes(client, citizen, store):
    response = start(client)
    assert response.status_code == 201
    body = response.json()
    session_id = body["id"]
    assert uuid.UUID(session_id).version == 4
    assert response["Location"] == f"{URL}{session_id}/"
    assert {k: body[k] for k in ("name", "size", "offset", "chunk_size", "complete")} == {
        "name": "site_plan.pdf", "size": SIZE, "offset": 0, "chunk_size": CHUNK, "complete": False}
    assert body["expires_at"]
    [started] = audited("documents.upload.start")
    assert (started.actor, started.object_id, started.after) == (citizen, session_id,
                                                                  {"name": "site_plan.pdf", "size": SIZE})

    offsets = [put_chunk(client, session_id, index).json()["offset"] for index in range(6)]
    assert offsets == [CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK, 5 * CHUNK, SIZE]

    status = client.get(f"{URL}{session_id}/").json()
    assert (status["offset"], status["size"], status["complete"]) == (SIZE, SIZE, True)
    assert store.chunks(session_id) == [f"{index * CHUNK:012d}" for index in range(6)]
    [completed] = audited("documents.upload.complete")
    assert (completed.actor, completed.object_id) == (citizen, session_id)
    session = UploadSession.objects.get(pk=session_id)
    assert session.completed_at is not None and session.expires_at > timezone.now() + datetime.timedelta(hours=23)
    assembled = resumable.upload_session_file(actor=citizen, session_id=session_id, field="doc_site_plan")
    assert (assembled.name, assembled.size, assembled.read()) == ("site_plan.pdf", SIZE, DATA)


def test_a_retried_chunk_is_answered_and_not_stored_again(client, citizen, store):
    session_id = start(client).json()["id"]
    put_chunk(client, session_id, 0)
    put_chunk(client, session_id, 1)

    again = put_chunk(client, session_id, 0)  # the answer to the first try was lost
    assert again.status_code == 200
    assert again.json()["offset"] == 2 * CHUNK
    assert store.chunks(session_id) == [f"{0:012d}", f"{CHUNK:012d}"]

    for index in range(2, 6):
        put_chunk(client, session_id, index)
    last_again = put_chunk(client, session_id, 5)
    assert (last_again.status_code, last_again.json()["offset"], last_again.json()["complete"]) == (200, SIZE, True)
    assert len(audited("documents.upload.complete")) == 1


def test_a_chunk_at_the_wrong_offset_is_refused_with_the_offset_to_resume_from(client, citizen, store):
    session_id = start(client).json()["id"]
    put_chunk(client, session_id, 0)

    ahead = put_chunk(client, session_id, 2)  # chunk 1 got lost on the way
    assert ahead.status_code == 409
    body = problem(ahead)
    assert (body["code"], body["offset"]) == ("upload_offset_mismatch", CHUNK)
    assert body["title"] == f"This chunk starts at byte {2 * CHUNK}, but the upload continues at byte {CHUNK}."

    overlapping = put(client, session_id, DATA[CHUNK // 2:CHUNK // 2 + CHUNK], CHUNK // 2)
    assert overlapping.status_code == 409 and problem(overlapping)["offset"] == CHUNK
    assert client.get(f"{URL}{session_id}/").json()["offset"] == CHUNK
    assert store.chunks(session_id) == [f"{0:012d}"]


def test_an_interrupted_upload_resumes_where_the_server_says(client, citizen, store):
    session_id = start(client).json()["id"]
    put_chunk(client, session_id, 0)
    put_chunk(client, session_id, 1)

    piece = DATA[2 * CHUNK:3 * CHUNK]
    dropped = client.generic("PUT", f"{URL}{session_id}/", b"", headers={
        "Content-Range": f"bytes {2 * CHUNK}-{3 * CHUNK - 1}/{SIZE}"},
        CONTENT_TYPE="application/octet-stream", CONTENT_LENGTH=str(len(piece)),
        **{"wsgi.input": io.BytesIO(piece[:1000])})  # the network dropped in the middle of the chunk
    assert dropped.status_code == 400
    assert problem(dropped)["fields"]["Content-Length"] == [
        f"The chunk has 1000 bytes, but its Content-Range announces {CHUNK}."]

    # The page reloads: the script asks where the upload stands and carries on from there.
    offset = client.get(f"{URL}{session_id}/").json()["offset"]
    assert offset == 2 * CHUNK
    while offset < SIZE:
        offset = put(client, session_id, DATA[offset:offset + CHUNK], offset).json()["offset"]
    assembled = resumable.upload_session_file(actor=citizen, session_id=session_id, field="doc_site_plan")
    assert hashlib.sha256(assembled.read()).hexdigest() == hashlib.sha256(DATA).hexdigest()
    assert len(store.chunks(session_id)) == 6


def test_someone_elses_upload_is_not_found(client, people, store):
    client.force_login(people.citizen)
    session_id = start(client).json()["id"]
    put_chunk(client, session_id, 0)

    client.force_login(people.other_citizen)
    for response in (client.get(f"{URL}{session_id}/"), put_chunk(client, session_id, 1),
                     client.delete(f"{URL}{session_id}/")):
        assert response.status_code == 404
        assert problem(response)["code"] == "not_found"
    for missing in (uuid.uuid4(), "not-an-id"):
        assert client.get(f"{URL}{missing}/").status_code == 404
    client.logout()
    assert client.get(f"{URL}{session_id}/").status_code == 403
    assert start(client).status_code == 403

    assert UploadSession.objects.get(pk=session_id).offset == CHUNK
    assert store.chunks(session_id) == [f"{0:012d}"]


def test_cancelling_an_upload_removes_its_chunks(client, citizen, store, django_capture_on_commit_callbacks):
    session_id = start(client).json()["id"]
    put_chunk(client, session_id, 0)
    put_chunk(client, session_id, 1)
    assert len(store.chunks(session_id)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"{URL}{session_id}/")
    assert response.status_code == 204
    assert client.get(f"{URL}{session_id}/").status_code == 404
    assert store.chunks(session_id) == []
    [cancelled] = audited("documents.upload.cancel")
    assert (cancelled.actor, cancelled.object_id, cancelled.before["offset"]) == (citizen, session_id, 2 * CHUNK)


def test_a_completed_upload_files_a_permit_over_http(client, citizen, store, django_capture_on_commit_callbacks):
    session_id = upload(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(APPLY_URL, {
            **PERMIT_DATA, "action": "submit", "doc_site_plan_upload": session_id,
            "doc_architectural_design": pdf_upload("design.pdf"), "doc_ownership": pdf_upload("ownership.pdf")})
    assert response.status_code == 302, page(response)[-2000:]

    version = DocumentVersion.objects.get(document__code="site_plan")
    assert (version.original_name, version.size, version.sha256) == (
        "site_plan.pdf", SIZE, hashlib.sha256(DATA).hexdigest())
    assert version.author == citizen
    assert documents_storage().size(version.blob_key) == SIZE
    assert version.document.case.applicant == citizen
    assert not UploadSession.objects.exists()
    assert store.chunks(session_id) == []
    [created] = [event for event in audited("documents.version.create") if event.object_id == str(version.pk)]
    assert created.after["sha256"] == version.sha256


def test_expired_uploads_are_dropped_by_the_timers(client, citizen, store, django_capture_on_commit_callbacks):
    stale = start(client).json()["id"]
    put_chunk(client, stale, 0)
    fresh = start(client).json()["id"]
    put_chunk(client, fresh, 0)
    UploadSession.objects.filter(pk=stale).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    refused = put_chunk(client, stale, 1)
    assert refused.status_code == 410 and problem(refused)["code"] == "upload_expired"
    with django_capture_on_commit_callbacks(execute=True):
        run_due_timers()
    assert list(UploadSession.objects.values_list("pk", flat=True)) == [uuid.UUID(fresh)]
    assert store.chunks(stale) == []
    assert store.chunks(fresh) == [f"{0:012d}"]
    (expiry,) = AuditEvent.objects.filter(action="documents.upload.expire")
    assert expiry.actor_id is None and expiry.object_id == stale
    assert expiry.before["name"] == "site_plan.pdf" and expiry.before["owner"] == citizen.pk


# --- refusals (the rules do not depend on the storage) -----------------------------------------------------------------

def test_a_file_over_the_session_limit_is_refused_before_anything_is_sent(client, citizen, settings):
    settings.MUNIS_RESUMABLE_UPLOAD_MAX_BYTES = 1024 * 1024
    response = start(client, size=1024 * 1024 + 1, name="huge.pdf")
    assert response.status_code == 413
    body = problem(response)
    assert body["code"] == "upload_too_large"
    assert body["title"] == "“huge.pdf” is too large (1.0\xa0MB); the limit is 1.0\xa0MB."
    assert start(client, size=1024 * 1024).status_code == 201


@pytest.mark.parametrize(("payload", "field"), [
    pytest.param({"name": "a.pdf", "size": 0}, "size", id="empty file"),
    pytest.param({"name": "a.pdf", "size": -5}, "size", id="negative size"),
    pytest.param({"name": "a.pdf", "size": "big"}, "size", id="size not a number"),
    pytest.param({"size": 10}, "name", id="no name"),
])
def test_an_upload_must_say_its_name_and_size(client, citizen, payload, field):
    response = client.post(URL, payload, content_type="application/json")
    assert response.status_code == 400
    assert field in problem(response)["fields"]
    assert not UploadSession.objects.exists()


def test_a_chunk_over_the_chunk_size_is_refused(client, citizen, small_chunks):
    session_id = start(client).json()["id"]
    response = put(client, session_id, DATA[:CHUNK + 1], 0)
    assert response.status_code == 413
    assert problem(response)["title"] == f"A chunk may hold at most {CHUNK} bytes."
    assert client.get(f"{URL}{session_id}/").json()["offset"] == 0


@pytest.mark.parametrize(("content_range", "message"), [
    pytest.param(None, "Send each chunk with a Content-Range header of the form “bytes <first>-<last>/<total>”.",
                 id="missing"),
    pytest.param("bytes=0-99", "Send each chunk with a Content-Range header of the form “bytes <first>-<last>/<total>”.",
                 id="malformed"),
    pytest.param(f"bytes 0-99/{SIZE + 1}", f"This upload is for a file of {SIZE} bytes, not {SIZE + 1}.",
                 id="other total"),
    pytest.param(f"bytes 99-0/{SIZE}", f"Bytes 99–0 are not within the file ({SIZE} bytes).", id="backwards"),
    pytest.param(f"bytes {SIZE - 50}-{SIZE + 49}/{SIZE}",
                 f"Bytes {SIZE - 50}–{SIZE + 49} are not within the file ({SIZE} bytes).", id="past the end"),
    pytest.param(f"bytes 0-199/{SIZE}", "The chunk has 100 bytes, but its Content-Range announces 200.",
                 id="body shorter than the range"),
])
def test_a_chunk_with_a_wrong_content_range_is_refused(client, citizen, small_chunks, content_range, message):
    session_id = start(client).json()["id"]
    headers = {"Content-Range": content_range} if content_range else {}
    response = client.generic("PUT", f"{URL}{session_id}/", DATA[:100], content_type="application/octet-stream",
                              headers=headers)
    assert response.status_code == 400
    fields = problem(response)["fields"]
    assert message in [text for texts in fields.values() for text in texts], fields
    assert client.get(f"{URL}{session_id}/").json()["offset"] == 0


def test_starting_uploads_is_rate_limited(client, citizen, monkeypatch):
    monkeypatch.setattr(resumable, "MAX_OPEN_SESSIONS", 100)
    statuses = [start(client).status_code for _ in range(11)]
    assert statuses == [201] * 10 + [429]
    assert problem(start(client))["code"] == "rate_limited"


def test_a_person_may_have_only_so_many_uploads_open(client, citizen, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(resumable, "MAX_OPEN_SESSIONS", 2)
    first, _second = (start(client).json()["id"] for _ in range(2))
    refused = start(client)
    assert refused.status_code == 429
    assert problem(refused)["title"] == "You have too many uploads in progress. Finish or cancel one of them first."
    with django_capture_on_commit_callbacks(execute=True):
        client.delete(f"{URL}{first}/")
    assert start(client).status_code == 201


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="row locks need PostgreSQL; CI runs this test on PostgreSQL")
def test_copies_of_the_first_chunk_racing_in_append_exactly_one(transactional_db, people, small_chunks,
                                                                monkeypatch):
    from .test_concurrency import run_together

    session = resumable.upload_session_start(actor=people.citizen, name="site_plan.pdf", size=SIZE)
    store = LocalChunks()
    put_chunk_slowly = resumable._put_chunk

    def slow(*args):
        time.sleep(0.2)  # the others reach the row lock meanwhile
        put_chunk_slowly(*args)

    monkeypatch.setattr(resumable, "_put_chunk", slow)

    def send(length):
        return lambda: resumable.upload_session_append(
            actor=people.citizen, session=UploadSession.objects.get(pk=session.pk), start=0, end=length - 1,
            total=SIZE, body=io.BytesIO(DATA[:length]), length=length)

    results = run_together([send(CHUNK), send(CHUNK), send(CHUNK // 2), send(CHUNK // 2)])
    session.refresh_from_db()
    assert session.offset in (CHUNK, CHUNK // 2)
    assert all(outcome == "ok" or isinstance(value, resumable.ChunkOutOfOrder) for outcome, value in results)
    assert store.chunks(session.pk) == [f"{0:012d}"]
    with documents_storage().open(resumable.chunk_name(session.pk, 0)) as chunk:
        assert chunk.read() == DATA[:session.offset]


# --- the forms ---------------------------------------------------------------------------------------------------------

def apply_with_upload(client, session_id):
    return client.post(APPLY_URL, {
        **PERMIT_DATA, "action": "submit", "doc_site_plan_upload": session_id,
        "doc_architectural_design": pdf_upload("design.pdf"), "doc_ownership": pdf_upload("ownership.pdf")})


NOT_FOUND = "The uploaded file was not found. Please choose the file again."


@pytest.fixture
def neighbours_upload(client, people, small_chunks):
    client.force_login(people.other_citizen)
    session_id = upload(client)
    client.force_login(people.citizen)
    return session_id


@pytest.fixture
def unfinished_upload(client, citizen, small_chunks):
    session_id = start(client).json()["id"]
    put_chunk(client, session_id, 0)
    return session_id


@pytest.fixture
def expired_upload(client, citizen, small_chunks):
    session_id = upload(client)
    UploadSession.objects.filter(pk=session_id).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    return session_id


@pytest.mark.parametrize(("which", "message"), [
    pytest.param("neighbours_upload", NOT_FOUND, id="another citizen's upload"),
    pytest.param(lambda: str(uuid.uuid4()), NOT_FOUND, id="unknown id"),
    pytest.param(lambda: "../../etc/passwd", NOT_FOUND, id="not an id"),
    pytest.param("unfinished_upload",
                 "“site_plan.pdf” has not finished uploading. Wait until it is complete, or choose the file again.",
                 id="unfinished upload"),
    pytest.param("expired_upload", "The upload of “site_plan.pdf” has expired. Please choose the file again.",
                 id="expired upload"),
])
def test_the_form_refuses_an_upload_it_cannot_use(client, people, settings, request, which, message):
    session_id = request.getfixturevalue(which) if isinstance(which, str) else which()
    client.force_login(people.citizen)
    before, files_before, sessions_before = snapshot(), stored_files(settings), _sessions()

    response = apply_with_upload(client, session_id)

    assert response.status_code == 400
    assert field_error_shown(response, "doc_site_plan", message), page(response)[-3000:]
    assert snapshot() == before
    assert stored_files(settings) == files_before
    assert _sessions() == sessions_before


def _sessions():
    """The upload sessions, but those the refused form kept its other files in."""
    return list(UploadSession.objects.exclude(pk__in=kept_for_the_form()).order_by("pk")
                .values_list("pk", "offset", "completed_at"))


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"MZ\x90\x00" + b"\x00" * 5000, "“site_plan.pdf” is not an accepted file type. Upload a PDF, JPEG or "
                 "PNG file.", id="an executable"),
    pytest.param(TINY_PDF + b"<script>alert(1)</script>" * 400, "“site_plan.pdf” hides another kind of file inside "
                 "or after its content, and is refused.", id="data after the PDF"),
])
def test_a_finished_upload_passes_the_same_checks_as_a_file(client, citizen, settings, small_chunks, content,
                                                            message):
    session_id = upload(client, content)
    before, files_before = snapshot(), stored_files(settings)

    response = apply_with_upload(client, session_id)

    assert response.status_code == 400
    assert field_error_shown(response, "doc_site_plan", message), page(response)[-3000:]
    assert snapshot() == before and stored_files(settings) == files_before
    assert UploadSession.objects.filter(pk=session_id).exists()  # still there: the person may send it elsewhere


def test_a_finished_upload_is_held_to_the_document_size_limit(client, citizen, settings, small_chunks):
    settings.MUNIS_UPLOAD_MAX_BYTES = 100 * 1024  # the session limit (2 GiB) let it in; a document may not be this big
    session_id = upload(client)
    before = snapshot()

    response = apply_with_upload(client, session_id)

    assert response.status_code == 400
    message = f"“site_plan.pdf” is too large ({filesizeformat(SIZE)}); the limit is {filesizeformat(100 * 1024)}."
    assert field_error_shown(response, "doc_site_plan", message), page(response)[-3000:]
    assert snapshot() == before


def test_the_correction_form_takes_a_finished_upload(client, people, small_chunks, django_capture_on_commit_callbacks):
    application = cases.in_correction(people.citizen, people.clerk)
    client.force_login(people.citizen)
    session_id = upload(client, name="site_plan_v2.pdf")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("eservices:correction", args=[application.pk]), {
            **PERMIT_DATA, "doc_site_plan_upload": session_id, "comment": "A clearer scan."})
    assert response.status_code == 302, page(response)[-2000:]

    application.refresh_from_db()
    assert application.status == "submitted"
    site_plan = [v for v in cases.versions_of(application) if v.document.code == "site_plan"]
    assert [(v.number, v.original_name) for v in site_plan] == [(1, "site_plan.pdf"), (2, "site_plan_v2.pdf")]
    assert site_plan[-1].sha256 == hashlib.sha256(DATA).hexdigest()
    assert not UploadSession.objects.exists()
    assert LocalChunks().chunks(session_id) == []


def test_a_used_upload_cannot_be_used_twice(client, citizen, small_chunks):
    session_id = upload(client)
    file = resumable.upload_session_file(actor=citizen, session_id=session_id, field="doc_site_plan")
    assert apply_with_upload(client, session_id).status_code == 302

    with pytest.raises(ValidationFailed) as refused:
        resumable.upload_session_used(file, actor=citizen)
    assert refused.value.fields == {"doc_site_plan": [NOT_FOUND]}


def test_the_forms_load_the_upload_script_and_name_the_upload_fields(client, citizen, settings):
    settings.MUNIS_RESUMABLE_UPLOAD_THRESHOLD = 123456
    html = client.get(APPLY_URL).content.decode()
    assert 'data-resumable-uploads="/api/v1/uploads/"' in html
    assert 'data-resumable-threshold="123456"' in html
    assert 'data-upload-max="10485760"' in html
    assert '<input type="hidden" name="doc_site_plan_upload"' in html
    assert '<script src="/static/js/resumable-upload.js"></script>' in html
    assert "<script>" not in html


# --- 1 GiB through the API, in 8 MiB chunks ----------------------------------------------------------------------------

GIGABYTE = 1024 ** 3


class PdfSource:
    """The 1 GiB PDF of test_big_uploads, made on the fly, handed out in order and hashed as it goes."""

    def __init__(self, size):
        self.pieces = big_pdf_parts(size)
        self.buffer = b""
        self.digest = hashlib.sha256()

    def take(self, count):
        while len(self.buffer) < count and (piece := next(self.pieces, None)) is not None:
            self.buffer += piece
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        self.digest.update(data)
        return data


class ChunkBody:
    """A ``wsgi.input`` that reads the source's next ``length`` bytes as the server asks for them,
    as a socket would: the chunk is never whole in the test's memory either."""

    def __init__(self, source, length):
        self.source, self.left = source, length

    def read(self, size=-1):
        data = self.source.take(self.left if size is None or size < 0 else min(size, self.left))
        self.left -= len(data)
        return data

    def readline(self, size=-1):
        return self.read(size)


def put_streamed(client, session_id, source, first, length, total):
    return client.generic("PUT", f"{URL}{session_id}/", b"", headers={
        "Content-Range": f"bytes {first}-{first + length - 1}/{total}"},
        CONTENT_TYPE="application/octet-stream", CONTENT_LENGTH=str(length),
        **{"wsgi.input": ChunkBody(source, length)})


def test_a_one_gigabyte_file_streams_through_the_api_and_into_a_permit(client, citizen, settings, any_store,
                                                                        django_capture_on_commit_callbacks):
    settings.MUNIS_UPLOAD_MAX_BYTES = 2 * GIGABYTE
    assert resumable.CHUNK_BYTES == 8 * 1024 * 1024
    began = time.monotonic()
    rss_before = _reset_peak_rss()
    tracemalloc.start()
    try:
        session_id = start(client, GIGABYTE).json()["id"]
        source, offset = PdfSource(GIGABYTE), 0
        while offset < GIGABYTE:
            length = min(resumable.CHUNK_BYTES, GIGABYTE - offset)
            response = put_streamed(client, session_id, source, offset, length, GIGABYTE)
            assert response.status_code == 200, response.content
            offset = response.json()["offset"]
        uploaded = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = apply_with_upload(client, session_id)
        _current, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = _status_kib("VmHWM") * 1024 - rss_before
    elapsed = time.monotonic() - began
    print(f"\n1 GiB in 8 MiB chunks ({any_store.name}): upload {uploaded - began:.1f} s, "
          f"filing {elapsed - (uploaded - began):.1f} s; Python peak {python_peak / 2**20:.1f} MiB, "
          f"RSS growth {rss_growth / 2**20:.1f} MiB")

    assert response.status_code == 302, page(response)[-2000:]
    version = DocumentVersion.objects.get(document__code="site_plan")
    assert (version.size, version.sha256) == (GIGABYTE, source.digest.hexdigest())
    assert any_store.chunks(session_id) == []
    assert python_peak < MEMORY_LIMIT, f"Python allocations peaked at {python_peak / 2**20:.0f} MiB"
    assert rss_growth < MEMORY_LIMIT, f"peak RSS grew {rss_growth / 2**20:.0f} MiB"


# --- in a real browser -------------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_a_citizen_sends_a_20_mib_site_plan_in_chunks_from_the_browser(
        live_server, browser, people, settings, tmp_path):  # noqa: F811
    settings.MUNIS_UPLOAD_MAX_BYTES = 32 * 1024 * 1024
    settings.MUNIS_RESUMABLE_UPLOAD_THRESHOLD = 1024 * 1024  # lowered: anything over 1 MiB goes in chunks
    big = pdf_bytes(20 * 1024 * 1024)
    files = {"site_plan": tmp_path / "site_plan.pdf", "architectural_design": tmp_path / "design.pdf",
             "ownership": tmp_path / "ownership.pdf"}
    files["site_plan"].write_bytes(big)
    files["architectural_design"].write_bytes(TINY_PDF)
    files["ownership"].write_bytes(TINY_PDF)

    citizen = logged_in_page(browser, live_server, people.citizen)
    citizen.context.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));")
    problems = []
    citizen.on("pageerror", lambda exc: problems.append(str(exc)))
    chunks, dropped = [], []

    def network(route):
        """Pass the API requests on, except the second chunk's first try: its connection is reset."""
        request = route.request
        if request.method == "PUT":
            chunks.append(request.headers["content-range"])
            if request.headers["content-range"].startswith("bytes 8388608-") and not dropped:
                dropped.append(request.url)
                route.abort("connectionreset")
                return
        route.continue_()

    citizen.route("**/api/v1/uploads/**", network)
    citizen.goto(APPLY_URL)
    fill_permit_form(citizen, files)
    citizen.get_by_role("button", name="Submit application").click()

    reference = f"BP-{timezone.now().year}-000001"
    expect(citizen.locator(".govuk-notification-banner")).to_contain_text(f"Application {reference} submitted.", timeout=60_000)
    expect(citizen.locator("main")).to_contain_text("site_plan.pdf")

    total = len(big)
    assert chunks == [f"bytes 0-8388607/{total}", f"bytes 8388608-16777215/{total}",
                      f"bytes 8388608-16777215/{total}", f"bytes 16777216-{total - 1}/{total}"]
    assert len(dropped) == 1
    version = DocumentVersion.objects.get(document__code="site_plan")
    assert (version.original_name, version.size, version.sha256) == (
        "site_plan.pdf", total, hashlib.sha256(big).hexdigest())
    assert not UploadSession.objects.exists()
    uploads = Path(documents_storage().path(resumable.CHUNKS_DIR))
    assert not uploads.exists() or not any(path.is_file() for path in uploads.rglob("*"))
    assert citizen.evaluate("window.cspViolations") == []
    assert problems == []


@pytest.mark.browser
def test_after_a_reload_the_browser_resumes_the_upload_where_the_server_stands(
        live_server, browser, people, settings, tmp_path):  # noqa: F811
    """The tab remembers the session it started for the file (sessionStorage, by name, size and
    date): chosen again after a reload, the file continues from the server's offset."""
    settings.MUNIS_UPLOAD_MAX_BYTES = 32 * 1024 * 1024
    big = pdf_bytes(12 * 1024 * 1024)
    path = tmp_path / "site_plan.pdf"
    path.write_bytes(big)
    session = resumable.upload_session_start(actor=people.citizen, name="site_plan.pdf", size=len(big))
    first = resumable.CHUNK_BYTES
    resumable.upload_session_append(actor=people.citizen, session=session, start=0, end=first - 1, total=len(big),
                                    body=io.BytesIO(big[:first]), length=first)

    citizen = logged_in_page(browser, live_server, people.citizen)
    key = f"munis-upload:site_plan.pdf:{len(big)}:{int(path.stat().st_mtime * 1000)}"
    citizen.context.add_init_script(f"window.sessionStorage.setItem({key!r}, {str(session.pk)!r});")
    chunks = []
    citizen.on("request", lambda request: chunks.append(request.headers.get("content-range"))
               if request.method == "PUT" else None)

    citizen.goto(APPLY_URL)
    fill_permit_form(citizen, {
        "site_plan": path,
        **{code: {"name": f"{code}.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}
           for code in ("architectural_design", "ownership")}})
    citizen.get_by_role("button", name="Submit application").click()

    expect(citizen.locator(".govuk-notification-banner")).to_contain_text("submitted.", timeout=60_000)
    assert chunks == [f"bytes {first}-{len(big) - 1}/{len(big)}"]
    version = DocumentVersion.objects.get(document__code="site_plan")
    assert version.sha256 == hashlib.sha256(big).hexdigest()
    assert not UploadSession.objects.exists()
