"""Issued documents: a permit letter carries a verification code and a QR code;
anyone can check it on /verify/<code>/ (what, to whom, when, its SHA-256, still
valid or revoked, the signature), and compare their copy byte for byte."""

import datetime
import hashlib
import io
import logging
import subprocess
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.models import AuditEvent
from documents import checks, signing
from documents.blobs import blob_read, documents_storage
from documents.codes import ALPHABET, format_code, new_code, normalize_code
from documents.issuing import document_revoke
from documents.letters import LetterFacts, verify_url
from documents.models import DocumentVersion, IssuedDocument
from documents.pdf import LETTER_STYLESHEET, html_to_pdf, render_html
from documents.services import version_open
from documents.storage import BlobRetained
from documents.verification import mask_name
from eservices.selectors import decision_letter_of

from . import cases

PDFAID = "http://www.aiim.org/pdfa/ns/id/"


@pytest.fixture
def permit(people):
    """Aziza Citizen's building permit, approved: the letter is issued."""
    return decision_letter_of(cases.approved(people.citizen, people))


def stored_bytes(issued):
    version = issued.version
    return blob_read(version.blob_key, sha256=version.sha256, size=version.size)


def verify_page(client, issued):
    return client.get(reverse("documents:verify", args=[issued.display_code]))


def compare(client, issued, content, name="permit.pdf"):
    return client.post(reverse("documents:verify", args=[issued.display_code]),
                       {"pdf": SimpleUploadedFile(name, content, content_type="application/pdf")})


# --- the verify page ---------------------------------------------------------------------------


def test_anyone_can_confirm_an_issued_permit_on_the_verify_page(client, permit):
    page = verify_page(client, permit)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Valid</strong>" in html and "has not revoked it" in html
    assert permit.display_code in html and permit.title in html
    assert 'id="issued-to">A***a C*****n</dd>' in html  # masked: the name is not given away
    assert "Aziza" not in html and "Citizen" not in html
    assert permit.version.sha256 in html
    assert timezone.localtime(permit.issued_at).strftime("%Y-%m-%d %H:%M") in html
    # pyHanko checked the stored bytes: signed by the (development) municipality certificate, intact
    assert "Valid signature" in html and "City Hall (development certificate)" in html
    assert "not from a trusted authority" in html

    same = compare(client, permit, stored_bytes(permit))
    assert same.status_code == 200
    assert "is exactly the document issued under this code" in same.content.decode()


def test_the_qr_code_printed_on_the_permit_scans_to_its_verify_page(permit, tmp_path):
    """The first page rasterised as a printer would (poppler), then read by zbar as a phone would."""
    (tmp_path / "permit.pdf").write_bytes(stored_bytes(permit))
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "permit.pdf", "page"], cwd=tmp_path,
                   check=True, timeout=60)
    (page,) = tmp_path.glob("page*.png")
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(page)], capture_output=True, text=True, timeout=60)

    assert scanned.returncode == 0, scanned.stderr
    assert scanned.stdout.strip() == verify_url(permit.display_code)


def test_a_copy_with_one_byte_changed_is_reported_as_not_issued(client, permit):
    altered = bytearray(stored_bytes(permit))
    altered[len(altered) // 2] ^= 0x01

    response = compare(client, permit, bytes(altered), name="my-permit.pdf")

    assert response.status_code == 200
    html = response.content.decode()
    assert "“my-permit.pdf” is not the document issued under this code" in html
    assert 'verdict-valid" id="comparison"' not in html


def test_a_revoked_permit_is_reported_as_revoked_with_when_and_why(client, people, permit):
    document_revoke(actor=people.supervisor, issued=permit, reason="Issued to the wrong plot.")

    html = verify_page(client, permit).content.decode()

    permit.refresh_from_db()
    assert "Revoked</strong>" in html and "no longer valid" in html and "Issued to the wrong plot." in html
    assert timezone.localtime(permit.revoked_at).strftime("%Y-%m-%d %H:%M") in html
    assert "has not revoked it" not in html
    # the bytes are still the issued ones: the comparison says so, and that they were revoked
    same = compare(client, permit, stored_bytes(permit)).content.decode()
    assert "is exactly the document issued under this code" in same and "It has been revoked" in same
    event = AuditEvent.objects.get(action="documents.document.revoke")
    assert event.actor_id == people.supervisor.pk and event.after["reason"] == "Issued to the wrong plot."
    assert event.trail_key == f"eservices.application:{permit.version.document.case_id}"


def test_an_unknown_or_malformed_code_is_a_clear_404(client, permit):
    unknown = next(code for code in (new_code() for _ in range(10)) if code != permit.code)
    for code in (format_code(unknown), "NOT-A-CODE", "K7QM-3XPA-9"):
        response = client.get(reverse("documents:verify", args=[code]))
        assert response.status_code == 404, code
        assert "No document was issued under the code" in response.content.decode()
    assert client.post(reverse("documents:verify", args=[format_code(unknown)])).status_code == 404


def test_a_code_is_found_whatever_the_case_dashes_or_spaces(client, permit):
    for typed in (permit.code.lower(), permit.display_code.lower(), " ".join(permit.code)):
        assert normalize_code(typed) == permit.code
    response = client.get(reverse("documents:verify", args=[permit.code.lower()]))
    assert response.status_code == 302 and response["Location"] == reverse("documents:verify",
                                                                          args=[permit.display_code])
    typed = client.get(reverse("documents:verify_lookup"), {"code": f" {permit.display_code.lower()} "})
    assert typed.status_code == 302 and typed["Location"] == reverse("documents:verify", args=[permit.display_code])
    assert client.get(reverse("documents:verify_lookup"), {"code": "O0I1"}).status_code == 400


def test_codes_are_ten_unambiguous_characters_read_in_groups():
    code = new_code()
    assert len(code) == 10 and set(code) <= set(ALPHABET)
    assert not set("0O1IL") & set(ALPHABET)
    assert format_code("K7QM3XPA9R") == "K7QM-3XPA-9R"


def test_names_are_masked_letter_by_letter():
    assert mask_name("Aziza Citizen") == "A***a C*****n"
    assert mask_name("Li O'Neil") == "L* O****l"


def test_an_oversized_empty_or_non_pdf_upload_is_refused_with_a_clear_400(client, permit, settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 1000
    too_big = compare(client, permit, b"%PDF-1.7\n" + b"0" * 2000, name="big.pdf")
    assert too_big.status_code == 400
    assert "“big.pdf” is larger than 1000" in too_big.content.decode()

    not_pdf = compare(client, permit, b"\x89PNG\r\n\x1a\n", name="photo.pdf")
    assert not_pdf.status_code == 400 and "“photo.pdf” is not a PDF file." in not_pdf.content.decode()

    empty = compare(client, permit, b"", name="empty.pdf")
    assert empty.status_code == 400

    nothing = client.post(reverse("documents:verify", args=[permit.display_code]), {})
    assert nothing.status_code == 400 and "Choose the PDF file to compare." in nothing.content.decode()


def test_a_garbled_content_length_is_a_clear_400_not_a_server_error(client, permit):
    response = client.post(reverse("documents:verify", args=[permit.display_code]), {}, CONTENT_LENGTH="12abc")
    assert response.status_code == 400 and "Choose the PDF file to compare." in response.content.decode()


def test_an_uploaded_copy_is_compared_and_never_stored(client, permit, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    versions = DocumentVersion.objects.count()
    big = stored_bytes(permit) + b"%" * (3 * 1024 * 1024)  # over Django's in-memory limit

    assert compare(client, permit, big).status_code == 200

    assert DocumentVersion.objects.count() == versions
    assert list((tmp_path / "uploads").iterdir()) == []  # not even a temporary file


def test_a_comparison_needs_the_pages_csrf_token(permit):
    browser = Client(enforce_csrf_checks=True)
    verify_page(browser, permit)
    url = reverse("documents:verify", args=[permit.display_code])
    upload = {"pdf": SimpleUploadedFile("permit.pdf", stored_bytes(permit), content_type="application/pdf")}

    assert browser.post(url, upload).status_code == 403
    upload["pdf"].seek(0)
    answer = browser.post(url, {**upload, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})
    assert answer.status_code == 200 and "is exactly the document issued under this code" in answer.content.decode()


def test_the_verify_page_is_rate_limited(client, permit, settings):
    settings.MUNIS_VERIFY_RATE = "3/m"
    statuses = [verify_page(client, permit).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


# --- the issued PDF ------------------------------------------------------------------------------


def test_the_issued_permit_is_pdfa_3b_as_its_xmp_metadata_declares(permit):
    reader = PdfReader(io.BytesIO(stored_bytes(permit)))
    xmp = ET.fromstring(reader.xmp_metadata.stream.get_data())
    declared = {}
    for element in xmp.iter():
        for name in ("part", "conformance"):
            value = element.get(f"{{{PDFAID}}}{name}")
            if value is not None:
                declared[name] = value
            if element.tag == f"{{{PDFAID}}}{name}":
                declared[name] = element.text
    assert declared == {"part": "3", "conformance": "B"}
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_issuing_is_audited_on_the_case_trail_with_the_code_and_hash(permit):
    event = AuditEvent.objects.get(action="documents.document.issue")
    assert event.actor_id is None  # the system issued it
    assert event.after["code"] == permit.display_code and event.after["sha256"] == permit.version.sha256
    assert event.trail_key == f"eservices.application:{permit.version.document.case_id}"
    assert permit.signer_subject == "City Hall (development certificate)" and permit.signed_at is not None
    call_command("verify_audit")


def test_without_a_key_in_production_the_permit_is_issued_unsigned_with_a_warning(client, people, settings, caplog):
    settings.MUNIS_SIGNING_DEV_CERTIFICATE = False
    settings.MUNIS_SIGNING_KEY = settings.MUNIS_SIGNING_CERT = ""

    with caplog.at_level(logging.WARNING, logger="documents"):
        issued = decision_letter_of(cases.approved(people.citizen, people))

    assert issued.signer_subject == "" and issued.signed_at is None
    assert any("without an electronic signature" in record.getMessage() for record in caplog.records)
    html = verify_page(client, issued).content.decode()
    assert "carries no electronic signature" in html and "Valid</strong>" in html


def test_the_municipality_key_pair_from_the_settings_signs_and_a_trusted_root_is_reported(client, people, settings,
                                                                                          tmp_path):
    key, cert = signing.generate_key_pair(tmp_path / "pki", name="Tashkent City Hall")
    settings.MUNIS_SIGNING_KEY, settings.MUNIS_SIGNING_CERT = str(key), str(cert)
    settings.MUNIS_SIGNING_TRUST_ROOTS = [str(cert)]
    assert checks.signing_configuration(None) == []

    issued = decision_letter_of(cases.approved(people.citizen, people))

    assert issued.signer_subject == "Tashkent City Hall"
    html = verify_page(client, issued).content.decode()
    assert "signed by Tashkent City Hall" in html and "issued by a trusted authority" in html


def test_the_signature_container_is_the_one_pyhanko_would_make_byte_for_byte(tmp_path):
    """The PAdES container is put together from parts encoded once (documents.pades); with an RSA
    key (PKCS#1 v1.5 is deterministic) it must equal pyHanko's general path exactly."""
    import asyncio

    from pyhanko.sign import signers

    from documents import pades

    signer = pades.KeyHoldingSigner(signing.load_key_pair(*signing.generate_key_pair(tmp_path, name="Samarkand")))
    for content in (b"first letter", b"second letter"):
        digest = hashlib.sha256(content).digest()
        ours = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
        general = asyncio.run(signers.Signer.async_sign(signer, digest, "sha256", use_pades=True))
        assert ours.dump() == general.dump()
        assert ours["content"]["signer_infos"][0]["signed_attrs"][1]["values"][0].native == digest


def test_a_key_that_does_not_match_its_certificate_fails_the_system_check(settings, tmp_path):
    key, _cert = signing.generate_key_pair(tmp_path / "one", name="One")
    _key, other_cert = signing.generate_key_pair(tmp_path / "two", name="Two")
    settings.MUNIS_SIGNING_KEY, settings.MUNIS_SIGNING_CERT = str(key), str(other_cert)
    assert [problem.id for problem in checks.signing_configuration(None)] == ["documents.E003"]
    settings.MUNIS_SIGNING_CERT = ""
    assert [problem.id for problem in checks.signing_configuration(None)] == ["documents.E002"]


# --- revoking ------------------------------------------------------------------------------------


def test_only_administrators_and_the_owners_supervisors_may_revoke_and_only_with_a_reason(people, permit):
    for outsider in (people.clerk, people.auditor, people.citizen, people.fire):
        with pytest.raises(PermissionDenied):
            document_revoke(actor=outsider, issued=permit, reason="No.")
    with pytest.raises(ValidationFailed):
        document_revoke(actor=people.admin, issued=permit, reason="  ")
    document_revoke(actor=people.admin, issued=permit, reason="Superseded by a corrected permit.")
    with pytest.raises(InvalidTransition, match="already revoked"):
        document_revoke(actor=people.supervisor, issued=permit, reason="Again.")
    assert not IssuedDocument.objects.filter(revoked_at__isnull=True).exists()


def test_an_administrator_revokes_from_the_admin_with_a_reason(client, people, permit):
    client.force_login(people.admin)
    changelist = reverse("admin:documents_issueddocument_changelist")
    assert permit.display_code in client.get(changelist).content.decode()
    asked = client.post(changelist, {"action": "revoke", "_selected_action": [permit.pk]})
    assert asked.status_code == 200 and "Reason for revocation" in asked.content.decode()

    done = client.post(changelist, {"action": "revoke", "_selected_action": [permit.pk], "confirm": "yes",
                                    "reason": "Applicant withdrew."})

    assert done.status_code == 302
    permit.refresh_from_db()
    assert permit.is_revoked and permit.revoked_by == people.admin and permit.revocation_reason == "Applicant withdrew."


# --- S3 Object Lock ------------------------------------------------------------------------------


@override_settings(MUNIS_ISSUED_RETAIN_YEARS=10)
def test_an_issued_permit_on_s3_is_kept_under_compliance_retention_nobody_can_shorten(people, s3_documents):
    issued = decision_letter_of(cases.approved(people.citizen, people))
    s3, bucket, key = s3_documents.client, s3_documents.bucket, s3_documents.key(issued.version.blob_key)

    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert until.year == issued.issued_at.year + 10
    assert abs(issued.retained_until - until) < datetime.timedelta(seconds=1)
    # Not even the bucket's owner deletes that version, nor shortens its retention.
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=head["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        s3.put_object_retention(Bucket=bucket, Key=key, VersionId=head["VersionId"],
                                Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until - datetime.timedelta(days=1)})

    # The application's own delete path refuses too, instead of hiding the blob behind a delete marker.
    with pytest.raises(BlobRetained):
        documents_storage().delete(issued.version.blob_key)
    assert "DeleteMarker" not in s3.head_object(Bucket=bucket, Key=key)
    assert b"".join(version_open(actor=people.citizen, version=issued.version)) == stored_bytes(issued)


# --- letters issued before the store --------------------------------------------------------------


def test_decision_letters_of_earlier_releases_become_unsigned_issued_documents(transactional_db, people, client):
    application = cases.submitted(people.citizen)
    letter = b"%PDF-1.4\n% a permit letter issued before the document store\n%%EOF\n"
    name = default_storage.save(f"decisions/2025/{application.reference}-permit.pdf", ContentFile(letter))
    before, after = [("eservices", "0005_documents_in_store")], None
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("eservices", "Application").objects.filter(pk=application.pk).update(
        decision_letter=name, status="approved", decided_at=timezone.now())
    try:
        executor = MigrationExecutor(connection)
        after = executor.loader.graph.leaf_nodes()
        executor.migrate(after)
    finally:
        if after is None:
            call_command("migrate", verbosity=0)

    issued = decision_letter_of(application)
    assert issued is not None and issued.issued_to == people.citizen.full_name
    assert issued.title == f"Building permit {application.reference}"
    assert issued.signer_subject == "" and normalize_code(issued.code) == issued.code
    assert issued.version.sha256 == hashlib.sha256(letter).hexdigest() and stored_bytes(issued) == letter
    html = verify_page(client, issued).content.decode()
    assert "carries no electronic signature" in html and issued.version.sha256 in html


# --- the signature -------------------------------------------------------------------------------


def _pages(pdf):
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_letter_is_signed_with_the_name_of_the_head_who_decided(people):
    application = cases.refused(people.citizen, people)
    pages = _pages(stored_bytes(decision_letter_of(application)))
    [signed] = [text for text in pages if "Head of department" in text]
    assert "Jamshid Head" in signed


def test_the_signature_never_stands_alone_on_a_page_whatever_the_length_of_the_reasons(people):
    """The reasons push the signature down line by line; at no length is the title left on a page without the
    name, or the signature on a page of its own; how to appeal follows it, never split across pages."""
    application = cases.refused(people.citizen, people)
    facts = LetterFacts(code="X", display_code="ABCD-EFGH", verify_url="http://testserver/verify/ABCD-EFGH/", qr="",
                        municipality="City", title="Refusal", language="en", issued_at=timezone.now())
    signature_pages = set()
    for lines in range(1, 30):
        application.decision_reasons = "\n".join(["The building exceeds the height limit of the zone."] * lines)
        html = render_html("permits/decision.html", {"application": application, "approved": False, "issued": facts,
                                                      "appeal_by": timezone.localdate(), "signer": people.supervisor})
        pages = _pages(html_to_pdf(html, stylesheets=[LETTER_STYLESHEET]))
        [signed] = [text for text in pages if "Head of department" in text]
        signature_pages.add(pages.index(signed) + 1)
        assert "Jamshid Head" in signed, lines
        assert "height limit of the zone" in signed, lines  # the signature comes with the text it closes
        [appeal] = [text for text in pages if "How to appeal" in text]
        assert "Appeal in writing" in appeal, lines  # and how to appeal comes whole, after it
    assert signature_pages == {1, 2}  # the lengths tried move the signature across the page break
