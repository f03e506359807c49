"""A citizen attaches a 1 GB file to a permit application: it streams from the
request through the upload checks into the document store (local files, or
S3 in parts) without ever being held in memory."""

import hashlib
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from documents.blobs import blob_key, documents_storage
from documents.models import DocumentVersion

from .factories import PERMIT_DATA, TINY_PDF

GIGABYTE = 1024 ** 3
MEMORY_LIMIT = 150 * 1024 * 1024
BOUNDARY = "munis-big-upload-boundary"
CHUNK = 4 * 1024 * 1024


def big_pdf_parts(size):
    """A plain PDF of ``size`` bytes, made on the fly: a small PDF padded with
    comment lines (harmless to any reader) up to ``size``."""
    head, tail = TINY_PDF[:-len(b"%%EOF\n")], b"%%EOF\n"
    line = b"%" + b"0" * 1022 + b"\n"
    yield head
    left = size - len(head) - len(tail)
    block = line * (CHUNK // len(line))
    while left > 0:
        piece = block[:left] if left < len(block) else block
        yield piece
        left -= len(piece)
    yield tail


class StreamedMultipart:
    """A ``wsgi.input`` producing a multipart body chunk by chunk, as a browser
    sends it: form fields, small files, then the big file made on the fly."""

    def __init__(self, *, fields, small_files, big_field, big_name, big_size):
        parts = [f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                 for name, value in fields.items()]
        parts += [self._file_header(name, filename) + content + b"\r\n"
                  for name, (filename, content) in small_files.items()]
        self.head = b"".join(parts) + self._file_header(big_field, big_name)
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + big_size + len(self.tail)
        self.digest = hashlib.sha256()
        self._pieces = self._generate(big_size)
        self._buffer = b""
        self.bytes_read = 0

    @staticmethod
    def _file_header(name, filename):
        return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/pdf\r\n\r\n").encode()

    def _generate(self, big_size):
        yield self.head
        for piece in big_pdf_parts(big_size):
            self.digest.update(piece)
            yield piece
        yield self.tail

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            piece = next(self._pieces, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        return self.read(size)


@pytest.fixture
def big_uploads_allowed(settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 2 * GIGABYTE


def stream_application(client, size, *, chunked=False):
    """POST the permit form with a ``size``-byte site plan and two small PDFs, streamed (``chunked``: as
    ``Transfer-Encoding: chunked``, without a length); returns the response, the body sent (its ``digest`` of
    the big file, its ``bytes_read``) and the peak of Python memory meanwhile."""
    body = StreamedMultipart(
        fields={**PERMIT_DATA, "action": "submit"},
        small_files={f"doc_{code}": (f"{code}.pdf", TINY_PDF) for code in ("architectural_design", "ownership")},
        big_field="doc_site_plan", big_name="site_plan.pdf", big_size=size)
    rss_before = _reset_peak_rss()
    tracemalloc.start()
    try:
        response = client.request(
            REQUEST_METHOD="POST", PATH_INFO=reverse("eservices:apply", args=["building-permit"]),
            CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
            **({"HTTP_TRANSFER_ENCODING": "chunked"} if chunked else {"CONTENT_LENGTH": str(body.length)}),
            **{"wsgi.input": body})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return response, body, Memory(python_peak=peak, rss_growth=_status_kib("VmHWM") * 1024 - rss_before)


@dataclass
class Memory:
    python_peak: int  # bytes, tracemalloc's peak of Python allocations
    rss_growth: int  # bytes, the process's peak resident set above where it stood before


def _status_kib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _reset_peak_rss():
    """Start the kernel's peak-RSS count (VmHWM) afresh; returns the RSS now, in bytes."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kib("VmRSS") * 1024


def _one_gigabyte_site_plan_is_stored_without_holding_it_in_memory(client, people):
    client.force_login(people.citizen)
    response, body, memory = stream_application(client, GIGABYTE)
    sha256 = body.digest.hexdigest()

    assert response.status_code == 302, response.content[:500]
    version = DocumentVersion.objects.get(document__code="site_plan")
    assert (version.size, version.sha256) == (GIGABYTE, sha256)
    assert version.blob_key == blob_key(sha256)
    assert documents_storage().size(version.blob_key) == GIGABYTE
    assert memory.rss_growth < MEMORY_LIMIT, f"peak RSS grew {memory.rss_growth / 2**20:.0f} MiB storing 1 GiB"
    assert memory.python_peak < MEMORY_LIMIT, f"Python allocations peaked at {memory.python_peak / 2**20:.0f} MiB"
    return version


def test_a_one_gigabyte_upload_streams_into_local_storage(client, people, permit_service, big_uploads_allowed):
    _one_gigabyte_site_plan_is_stored_without_holding_it_in_memory(client, people)


def test_a_one_gigabyte_upload_streams_into_s3_in_parts(client, people, permit_service, big_uploads_allowed,
                                                        s3_documents):
    version = _one_gigabyte_site_plan_is_stored_without_holding_it_in_memory(client, people)
    head = s3_documents.client.head_object(Bucket=s3_documents.bucket, Key=s3_documents.key(version.blob_key))
    assert head["ContentLength"] == GIGABYTE
    assert "-" in head["ETag"], "a 1 GiB blob goes to S3 as a multipart upload"


def test_a_file_over_the_limit_is_refused_before_it_is_stored(client, people, permit_service, settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 64 * 1024 * 1024
    client.force_login(people.citizen)
    response, _body, _memory = stream_application(client, 80 * 1024 * 1024)

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_a_form_post_announced_over_the_limit_is_refused_before_its_body_is_read(client, people, permit_service,
                                                                                  settings):
    """A client without the page's script (or an attacker) posts a 1 GB file to the form: the
    server answers 413 from the announced length, having read nothing, stored nothing."""
    settings.MUNIS_UPLOAD_MAX_BYTES = 10 * 1024 * 1024  # a form then takes 101 MiB at most
    client.force_login(people.citizen)
    response, body, _memory = stream_application(client, GIGABYTE)

    assert response.status_code == 413
    html = response.content.decode()
    assert "What you sent is 1.0\xa0GB, more than the 101.0\xa0MB a form takes at once." in html
    assert "at most 10.0\xa0MB each" in html
    assert body.bytes_read == 0
    assert not DocumentVersion.objects.exists()


def test_a_form_post_sent_in_chunks_without_its_length_is_refused_with_411(client, people, permit_service):
    """Django reads no body without a length: instead of an empty form failing for the wrong reason, the
    client is told to send the length. Nothing is read or stored."""
    client.force_login(people.citizen)
    response, body, _memory = stream_application(client, 1024 * 1024, chunked=True)

    assert response.status_code == 411
    assert "Send the form with its length (a Content-Length header)" in response.content.decode()
    assert body.bytes_read == 0
    assert not DocumentVersion.objects.exists()


def test_an_api_post_sent_in_chunks_is_answered_with_a_problem_document(client, people):
    client.force_login(people.citizen)
    response = client.generic("POST", "/api/v1/applications/", b"", content_type="application/json",
                              HTTP_TRANSFER_ENCODING="chunked")

    assert response.status_code == 411
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "length_required"

