"""Bad input gets a clear message and a 4xx, and changes nothing.

Every test takes a snapshot of the cases, their documents, their tasks and
the audit log before the bad request and asserts it is the same afterwards:
a refused request must not leave half a case, a stray file or an audit row
behind.
"""

import html
import re
import struct
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from viewflow.workflow.models import Task

from core.errors import ValidationFailed
from core.models import AuditEvent
from documents.models import DocumentVersion
from eservices.models import Application
from eservices.services import validate_application_data

from . import cases
from .factories import PERMIT_DATA, TINY_PDF, pdf_upload, permit_files


def kept_for_the_form():
    """Ids of the upload sessions a refused application form kept its good files in, so they need not be
    chosen again (eservices.views.apply): the one thing a refused post leaves behind."""
    return set(AuditEvent.objects.filter(action="documents.upload.keep").values_list("object_id", flat=True))


def snapshot():
    """Everything a refused request must leave as it was (but the files it kept for the form)."""
    return {
        "applications": list(Application.objects.order_by("pk").values_list("pk", "status", "reference", "data")),
        "document_versions": list(DocumentVersion.objects.order_by("pk").values_list("pk", "document_id", "sha256")),
        "tasks": list(Task.objects.order_by("pk").values_list("pk", "status", "owner_id")),
        "audit_events": AuditEvent.objects.exclude(action="documents.upload.keep").count(),
    }


def stored_files(settings):
    """The files on the storage, but the chunks of those kept for the form (uploads/<session>/<offset>)."""
    root = Path(settings.MEDIA_ROOT)
    kept = kept_for_the_form()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.parent.name not in kept) if root.exists() else []


def page(response):
    return html.unescape(response.content.decode())


def field_error_shown(response, field, message):
    """The message sits in the named form field's group, marked as an error (the design system's form group),
    and the error summary at the top of the form lists it with a link to the field."""
    html = page(response)
    summary = html.split('class="govuk-error-summary"', 1)[-1].split("</ul>", 1)[0]
    linked = any(message in link.split("</a>", 1)[0]
                 for suffix in ("", "_0") for link in summary.split(f'<a href="#id_{field}{suffix}">')[1:])
    form = html.split('class="form"', 1)[-1].split("</form>", 1)[0]
    for block in form.split('<div class="govuk-form-group')[1:]:
        if f'name="{field}"' in block:
            return linked and block.startswith(' govuk-form-group--error') and message in block
    return False


def apply_payload(data=None, files=None, action="submit"):
    payload = {**PERMIT_DATA, **(data or {}), "action": action}
    for code, upload in (permit_files() if files is None else files).items():
        payload[f"doc_{code}"] = upload
    return {k: v for k, v in payload.items() if v is not None}


APPLY_URL = "/services/building-permit/apply/"


# --- the application form --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "field", "message"), [
    pytest.param({"site_address": None}, "site_address", "This field is required.", id="missing required field"),
    pytest.param({"site_address": ""}, "site_address", "This field is required.", id="blank required field"),
])
def test_submitting_without_a_required_field_is_refused(client, people, settings, data, field, message):
    client.force_login(people.citizen)
    before = snapshot()
    response = client.post(APPLY_URL, apply_payload(data, action="submit"))
    assert response.status_code == 400
    assert field_error_shown(response, field, message), page(response)[-3000:]
    assert snapshot() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(("data", "field", "message"), [
    pytest.param({"cadastral_number": "10-05-0012345-17"}, "cadastral_number", "Cadastral number: Enter four groups of "
                 "digits separated by colons, for example 10:05:0012345:17.", id="cadastral number in the wrong pattern"),
    pytest.param({"floors": "0"}, "floors", "Ensure this value is greater than or equal to 1.", id="too few floors"),
    pytest.param({"floors": "41"}, "floors", "Ensure this value is less than or equal to 40.", id="too many floors"),
    pytest.param({"floors": "three"}, "floors", "Enter a whole number.", id="floors not a number"),
    pytest.param({"floors": "2.5"}, "floors", "Enter a whole number.", id="floors not whole"),
    pytest.param({"floor_area": "large"}, "floor_area", "Enter a number.", id="floor area not a number"),
    pytest.param({"floor_area": "5"}, "floor_area", "Ensure this value is greater than or equal to 10.",
                 id="floor area too small"),
    pytest.param({"building_type": "castle"}, "building_type", "Select a valid choice.", id="unknown building type"),
    pytest.param({"start_date": "2025-13-45"}, "start_date", "Enter a valid date.", id="impossible date"),
    pytest.param({"site_address": "x" * 301}, "site_address", "Ensure this value has at most 300 characters",
                 id="address too long"),
])
@pytest.mark.parametrize("action", ["submit", "save"])
def test_invalid_form_data_is_refused_with_the_fields_message(client, people, settings, data, field, message, action):
    client.force_login(people.citizen)
    before = snapshot()
    response = client.post(APPLY_URL, apply_payload(data, action=action))
    assert response.status_code == 400
    assert field_error_shown(response, field, message), page(response)[-3000:]
    assert snapshot() == before
    assert not Application.objects.exists()
    assert stored_files(settings) == []


def test_a_value_in_the_wrong_format_is_explained_in_words_never_as_a_regular_expression(people):
    version = cases.permit_service().versions.get()
    with translation.override("ru"):
        with pytest.raises(ValidationFailed) as refused:
            validate_application_data(version=version, data={"cadastral_number": "10-05"}, partial=True)
    assert refused.value.fields["cadastral_number"] == [
        "Кадастровый номер: Введите четыре группы цифр через двоеточие, например 10:05:0012345:17."]
    # a form definition published without the words (as in a database older than them) gets a generic sentence
    bare = SimpleNamespace(form_schema={"type": "object", "properties": {"code": {
        "type": "string", "title": "Code", "pattern": "^[0-9]{3}$", "description": "For example 123"}}})
    with pytest.raises(ValidationFailed) as refused:
        validate_application_data(version=bare, data={"code": "12a"})
    [message] = refused.value.fields["code"]
    assert message == "Code: This is not in the expected format: enter it as in the example under the field."
    assert "[0-9]" not in message


def test_a_missing_mandatory_document_is_named(client, people, settings):
    client.force_login(people.citizen)
    files = permit_files()
    del files["ownership"]
    before = snapshot()
    response = client.post(APPLY_URL, apply_payload(files=files))
    assert response.status_code == 400
    assert field_error_shown(response, "doc_ownership", "Please attach “Proof of land ownership or lease”.")
    assert snapshot() == before
    assert stored_files(settings) == []


# --- uploads -----------------------------------------------------------------------------------------------------------

def _png():
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def _exe():
    header = bytearray(512)
    header[0:2] = b"MZ"
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    header[0x80:0x84] = b"PE\x00\x00"
    header[0x84:0x86] = struct.pack("<H", 0x14C)  # i386
    return bytes(header)


def test_an_oversize_upload_is_refused_with_the_limit(client, people, settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(people.citizen)
    files = permit_files()
    files["site_plan"] = pdf_upload("big_site_plan.pdf", TINY_PDF + b"%" * (3 * 512 * 1024))
    before = snapshot()
    response = client.post(APPLY_URL, apply_payload(files=files))
    assert response.status_code == 400
    assert field_error_shown(response, "doc_site_plan", "“big_site_plan.pdf” is too large (1.5\xa0MB); the limit is 1.0\xa0MB.")
    assert snapshot() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize(("name", "content", "message"), [
    pytest.param("site_plan.pdf", _png(), "The name “site_plan.pdf” does not match its content (image/png).",
                 id="PNG renamed .pdf"),
    pytest.param("site_plan.pdf", _exe(), "“site_plan.pdf” is not an accepted file type. Upload a PDF, JPEG or PNG file.",
                 id="EXE renamed .pdf"),
    pytest.param("site_plan.pdf", b"This is not a drawing, just some text.\n" * 20,
                 "“site_plan.pdf” is not an accepted file type.", id="plain text renamed .pdf"),
    pytest.param("setup.exe", _exe(), "“setup.exe” is not an accepted file type.", id="an .exe"),
    pytest.param("site_plan.png", TINY_PDF, "The name “site_plan.png” does not match its content (application/pdf).",
                 id="PDF renamed .png"),
    pytest.param("site_plan.pdf", b"", "The submitted file is empty.", id="empty file"),
])
def test_a_file_of_the_wrong_type_is_refused(client, people, settings, name, content, message):
    client.force_login(people.citizen)
    files = permit_files()
    files["site_plan"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    before = snapshot()
    response = client.post(APPLY_URL, apply_payload(files=files))
    assert response.status_code == 400
    assert field_error_shown(response, "doc_site_plan", message), page(response)[-3000:]
    assert snapshot() == before
    assert stored_files(settings) == []


def test_a_wrong_file_added_to_a_draft_leaves_the_draft_as_it_was(client, people, settings):
    draft = cases.draft(people.citizen)
    files_before = stored_files(settings)
    client.force_login(people.citizen)
    before = snapshot()
    response = client.post(reverse("eservices:edit_draft", args=[draft.pk]), apply_payload(
        {"site_address": "A different address 1"}, files={"ownership": SimpleUploadedFile("deed.pdf", _exe())},
        action="save"))
    assert response.status_code == 400
    assert field_error_shown(response, "doc_ownership", "“deed.pdf” is not an accepted file type.")
    assert snapshot() == before
    assert stored_files(settings) == files_before


# --- submitting twice --------------------------------------------------------------------------------------------------

def test_submitting_a_draft_twice_is_refused_the_second_time(client, people):
    draft = cases.draft(people.citizen)
    client.force_login(people.citizen)
    url = reverse("eservices:edit_draft", args=[draft.pk])
    first = client.post(url, apply_payload())
    assert first.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.reference
    before = snapshot()

    second = client.post(url, apply_payload())
    assert second.status_code == 409
    assert "This application has already been submitted." in page(second)
    assert snapshot() == before
    assert AuditEvent.objects.filter(action="eservices.application.submit").count() == 1
    assert Application.objects.get(pk=draft.pk).reference == draft.reference

    # Saving over it as a draft is refused the same way.
    third = client.post(url, apply_payload(action="save"))
    assert third.status_code == 409
    assert "This application has already been submitted." in page(third)
    assert snapshot() == before


def test_the_apply_form_sent_twice_files_one_case(client, people):
    """A double click on "Submit", or the browser resending the post: one case, one reference,
    and the second answer is the first one's."""
    client.force_login(people.citizen)
    url = reverse("eservices:apply", args=["building-permit"])
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page(client.get(url))).group(1)
    first = client.post(url, {**apply_payload(), "idempotency_key": key})
    second = client.post(url, {**apply_payload(), "idempotency_key": key})
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Application.objects.filter(applicant=people.citizen).count() == 1
    assert AuditEvent.objects.filter(action="eservices.application.submit").count() == 1
    assert "nothing was done a second time" in page(client.get(second["Location"]))


# --- staff tasks -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("intruder", ["clerk2", "supervisor"])
def test_completing_a_task_someone_else_holds_is_refused(client, people, intruder):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(getattr(people, intruder))
    before = snapshot()
    response = client.post(reverse("workflows:task", args=[task.pk]), {"complete": "yes", "comment": ""})
    assert response.status_code == 403
    assert "You do not hold this task." in page(response)
    assert snapshot() == before
    application.refresh_from_db()
    assert application.status == "submitted"


def test_completing_a_task_that_is_already_done_is_refused(client, people):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(people.clerk)
    url = reverse("workflows:task", args=[task.pk])
    assert client.post(url, {"complete": "yes", "comment": ""}).status_code == 302
    application.refresh_from_db()
    assert application.status == "in_review"
    before = snapshot()

    response = client.post(url, {"complete": "no", "comment": "Changed my mind."})
    assert response.status_code == 409
    assert "This task is already finished." in page(response)
    assert snapshot() == before
    application.refresh_from_db()
    assert application.status == "in_review"


@pytest.mark.parametrize("latecomer", ["clerk2", "supervisor"])
def test_claiming_a_task_someone_already_holds_is_refused(client, people, latecomer):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(getattr(people, latecomer))
    before = snapshot()
    response = client.post(reverse("workflows:claim", args=[task.pk]))
    assert response.status_code == 409
    assert "Someone else has already taken this task." in page(response)
    assert snapshot() == before
    task.refresh_from_db()
    assert task.owner == people.clerk


def test_releasing_a_task_you_do_not_hold_is_refused(client, people):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(people.clerk2)
    before = snapshot()
    response = client.post(reverse("workflows:unclaim", args=[task.pk]))
    assert response.status_code == 403
    assert "You do not hold this task." in page(response)
    assert snapshot() == before


@pytest.mark.parametrize(("form", "field", "message"), [
    pytest.param({"complete": "maybe"}, "complete", "Select a valid choice.", id="unknown choice"),
    pytest.param({"comment": ""}, "complete", "This field is required.", id="no answer"),
    pytest.param({"complete": "no", "comment": "   "}, "comment", "Tell the applicant what to correct.",
                 id="correction without a note"),
    pytest.param({"complete": "no", "comment": "x" * 4001}, "comment", "Ensure this value has at most 4000 characters",
                 id="note too long"),
])
def test_an_invalid_task_form_is_refused_with_the_fields_message(client, people, form, field, message):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(people.clerk)
    before = snapshot()
    response = client.post(reverse("workflows:task", args=[task.pk]), form)
    assert response.status_code == 400
    assert field_error_shown(response, field, message), page(response)[-3000:]
    assert snapshot() == before


@pytest.mark.parametrize("assignee", [
    pytest.param(lambda people: people.fire.pk, id="clerk of another department"),
    pytest.param(lambda people: people.citizen.pk, id="a citizen"),
    pytest.param(lambda people: 999_999, id="no such user"),
    pytest.param(lambda people: "somebody", id="not an id"),
])
def test_reassigning_to_someone_outside_the_department_is_refused(client, people, assignee):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(people.supervisor)
    before = snapshot()
    response = client.post(reverse("workflows:reassign", args=[task.pk]), {"assignee": assignee(people)})
    assert response.status_code == 400
    assert "Choose a member of this department." in page(response)
    assert snapshot() == before


# --- tampered ids ----------------------------------------------------------------------------------------------------

@pytest.fixture
def two_citizens(people):
    """Aziza's case in review and her draft, and Bekzod's draft, each with documents."""
    return {
        "hers": cases.in_review(people.citizen, people.clerk),
        "her_draft": cases.draft(people.citizen),
        "his_draft": cases.draft(people.other_citizen),
    }


def _att(key):
    return lambda c: cases.versions_of(c[key]).first().pk


TAMPERED = [
    # (who, method, url(cases), POST data) — every one is a 404
    pytest.param("other_citizen", "GET", lambda c: reverse("eservices:application", args=[c["hers"].pk]), None,
                 id="another citizen's case"),
    pytest.param("other_citizen", "POST", lambda c: reverse("eservices:edit_draft", args=[c["her_draft"].pk]),
                 apply_payload, id="submit another citizen's draft"),
    pytest.param("other_citizen", "POST", lambda c: reverse("eservices:correction", args=[c["hers"].pk]),
                 apply_payload, id="correct another citizen's case"),
    pytest.param("other_citizen", "GET",
                 lambda c: reverse("eservices:document", args=[c["hers"].pk, _att("hers")(c)]), None,
                 id="another citizen's document"),
    pytest.param("other_citizen", "GET",
                 lambda c: reverse("eservices:document", args=[c["his_draft"].pk, _att("hers")(c)]), None,
                 id="another citizen's document under one's own case"),
    pytest.param("citizen", "GET",
                 lambda c: reverse("eservices:document", args=[c["hers"].pk, _att("her_draft")(c)]), None,
                 id="own document under another own case"),
    pytest.param("clerk", "GET",
                 lambda c: reverse("eservices:document", args=[c["hers"].pk, _att("his_draft")(c)]), None,
                 id="clerk: a draft's document under a visible case"),
    pytest.param("fire", "POST",
                 lambda c: reverse("workflows:claim", args=[cases.open_task(c["hers"], "review_architecture").pk]),
                 None, id="claim another department's task"),
    pytest.param("fire", "POST",
                 lambda c: reverse("workflows:task", args=[cases.open_task(c["hers"], "review_architecture").pk]),
                 lambda: {"favourable": "yes"}, id="complete another department's task"),
    pytest.param("clerk", "POST",
                 lambda c: reverse("workflows:claim", args=[cases.open_task(c["hers"], "review_fire_safety").pk]),
                 None, id="claim the fire department's task"),
    pytest.param("citizen", "GET", lambda c: reverse("eservices:application", args=[999_999]), None,
                 id="no such case"),
    pytest.param("citizen", "GET", lambda c: reverse("eservices:document", args=[c["hers"].pk, 999_999]), None,
                 id="no such document"),
    pytest.param("clerk", "POST", lambda c: reverse("workflows:claim", args=[999_999]), None, id="no such task"),
    pytest.param("supervisor", "POST", lambda c: reverse("workflows:reassign", args=[999_999]),
                 lambda: {"assignee": 1}, id="reassign no such task"),
]


@pytest.mark.parametrize(("who", "method", "url", "data"), TAMPERED)
def test_a_tampered_id_in_the_url_is_not_found(client, people, two_citizens, who, method, url, data):
    path = url(two_citizens)
    client.force_login(getattr(people, who))
    before = snapshot()
    response = client.get(path) if method == "GET" else client.post(path, data() if data else {})
    assert response.status_code == 404
    assert "The page you asked for does not exist, or you may not see it." in page(response)
    assert snapshot() == before


def test_a_tampered_id_in_the_api_is_not_found(client, people, two_citizens):
    client.force_login(people.other_citizen)
    for pk in (two_citizens["hers"].pk, two_citizens["her_draft"].pk, 999_999, "abc"):
        response = client.get(f"/api/v1/applications/{pk}/")
        assert response.status_code == 404, pk
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404 and response.json()["title"] == "Not found."


# --- the API --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "target"), [
    ("post", "list"), ("put", "own"), ("patch", "own"), ("delete", "own"),
])
def test_the_api_refuses_writes_even_with_malformed_json(client, people, two_citizens, method, target):
    client.force_login(people.other_citizen)
    mine = two_citizens["his_draft"]
    path = "/api/v1/applications/" if target == "list" else f"/api/v1/applications/{mine.pk}/"
    before = snapshot()
    response = getattr(client, method)(path, data='{"status": "approved", ', content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == f'Method "{method.upper()}" not allowed.'
    assert snapshot() == before


@pytest.mark.parametrize("query", ["page=abc", "page=0", "page=99"])
def test_the_api_refuses_an_invalid_page(client, people, two_citizens, query):
    client.force_login(people.citizen)
    response = client.get(f"/api/v1/applications/?{query}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Invalid page."


def test_the_api_refuses_an_unknown_format(client, people):
    client.force_login(people.citizen)
    response = client.get("/api/v1/applications/?format=xml")
    assert response.status_code == 404


# --- corrections ---------------------------------------------------------------------------------------------------

def test_the_correction_page_without_an_open_correction_sends_the_citizen_back_with_a_message(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    client.force_login(people.citizen)
    url = reverse("eservices:correction", args=[application.pk])
    before = snapshot()
    for response in (client.get(url, follow=True), client.post(url, apply_payload({"site_address": "Elsewhere 99"}),
                                                               follow=True)):
        assert response.redirect_chain == [(reverse("eservices:application", args=[application.pk]), 302)]
        assert "No correction is requested for this application." in page(response)
    assert snapshot() == before


def test_save_draft_keeps_a_partly_filled_form(client, people):
    client.force_login(people.citizen)
    response = client.post(APPLY_URL, {"site_address": "5 Amir Temur Avenue", "action": "save"})
    assert response.status_code == 302
    draft = Application.objects.get(applicant=people.citizen)
    assert draft.status == "draft" and draft.data == {"site_address": "5 Amir Temur Avenue"}
    page_html = client.get(reverse("eservices:edit_draft", args=[draft.pk])).content.decode()
    assert "5 Amir Temur Avenue</textarea>" in page_html  # the form shows what was saved


def test_a_clerk_trying_the_heads_decision_is_told_why(client, people):
    application = cases.reviewed(people.citizen, people)
    task = cases.open_task(application, "decision")
    client.force_login(people.clerk)
    response = client.post(reverse("workflows:claim", args=[task.pk]))
    assert response.status_code == 403
    assert "Only the head of the department can take this step." in response.content.decode()
