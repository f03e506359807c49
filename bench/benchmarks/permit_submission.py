"""Permit submission throughput over HTTP against a bare Django view that inserts one row.

Each client thread is a citizen logged in through the login form; "ours" posts the
building-permit form with three small PDFs and ``action=submit`` (validation, upload checks,
files stored, reference number, flow started, audit chain, e-mail), "baseline" posts a
one-field form to ``bench.views.insert_one_row``. Same server, same sessions, same CSRF,
same concurrency.
"""

import itertools
import re

from django.urls import reverse

from bench import Comparison, register
from bench.client import Session, encode_multipart
from bench.load import OperationFailed, compare_over_sessions, ratios_by_round
from bench.views import baseline_row_count, post_baseline_row

TARGET = 0.3
PASSWORD = "bench-only-password-7319"
DOCUMENTS = ("site_plan", "architectural_design", "ownership")
SUBMITTED = re.compile(r"/applications/(\d+)/$")


def _unique_pdf(pdf, marker):
    """The same PDF with a comment line after its header: other bytes, same document."""
    header, rest = pdf.split(b"\n", 1)
    return header + b"\n%" + marker.encode() + b"\n" + rest


def _citizens(count):
    from accounts.models import User

    return [
        User.objects.create_user(email=f"bench-citizen-{i}@bench.local", password=PASSWORD,
                                 full_name=f"Bench Citizen {i}", email_verified=True)
        for i in range(count)
    ]


@register("permit_submission", "Permit submission over HTTP (form + 3 PDFs) vs a bare view inserting one row")
def run(ctx):
    from permits.catalog import ensure_building_permit_service
    from tests.factories import PERMIT_DATA, TINY_PDF

    ensure_building_permit_service()
    before = _rows_now()
    server = ctx.server()
    sessions = []
    for citizen in _citizens(ctx.concurrency):
        session = Session(server.url)
        session.login(reverse("accounts:login"), citizen.email, PASSWORD)
        sessions.append(session)
    apply_path = reverse("eservices:apply", args=["building-permit"])
    fields = {**PERMIT_DATA, "action": "submit"}
    serial = itertools.count()

    def submit(session):
        # Every submission carries three PDFs never sent before: the document store keeps identical bytes
        # once (content-addressed), and real applicants don't upload each other's files.
        n = next(serial)
        files = {f"doc_{code}": (f"{code}.pdf", _unique_pdf(TINY_PDF, f"{n}-{code}"), "application/pdf")
                 for code in DOCUMENTS}
        body, content_type = encode_multipart({**fields, "csrfmiddlewaretoken": session.csrf_token}, files)
        response = session.post_multipart(apply_path, body, content_type)
        if response.status != 302 or not SUBMITTED.search(response.header("Location")):
            raise OperationFailed(f"Submission answered HTTP {response.status} "
                                  f"(Location {response.header('Location')!r}): {response.body[:300]!r}")
        # A browser follows the redirect to the case page, which shows the "submitted" message and
        # clears its cookie. The bench does not fetch that page (it measures the submission), so it
        # drops the cookie as the page would: otherwise fifty unread messages pile up in it, and every
        # later submission decodes, re-signs and trims them, which no applicant's submission does.
        session.cookies.pop("messages", None)

    ours, baseline = compare_over_sessions(ctx, submit, post_baseline_row, sessions)

    expected = ctx.requests + ctx.warmup
    submitted, versions, blobs, rows = (now - earlier for now, earlier in zip(_rows_now(), before, strict=True))
    if (submitted, versions, blobs, rows) != (expected, expected * len(DOCUMENTS), expected * len(DOCUMENTS), expected):
        raise RuntimeError(f"Expected {expected} submitted applications, {expected * len(DOCUMENTS)} document versions "
                           f"in as many blobs, and {expected} baseline rows; found {submitted}, {versions} in {blobs} "
                           f"blobs, and {rows}.")
    by_round = ratios_by_round(ours, baseline)
    print(f"  ratio by round: {' '.join(f'{ratio:.2f}' for ratio in by_round)}")
    return Comparison(
        name="permit_submission", ours=ours.rate, baseline=baseline.rate, target=TARGET,
        details={"ours": ours.summary(), "baseline": baseline.summary(), "ratio_by_round": by_round,
                 "verified": {"applications_submitted": submitted, "document_versions": versions, "blobs": blobs,
                              "baseline_rows": rows}},
    )


def _rows_now():
    """(submitted applications, document versions, distinct blobs, baseline rows): counted before and
    after, since other benchmarks of the run may have written some of these rows already."""
    from documents.models import DocumentVersion
    from eservices.models import Application

    return (Application.objects.filter(status=Application.Status.SUBMITTED).count(), DocumentVersion.objects.count(),
            DocumentVersion.objects.values("blob_key").distinct().count(), baseline_row_count())
