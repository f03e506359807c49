"""Faults a probe of every role against every route found (issue 14, "Hardening"): each is now a clear
4xx, a lock, an audit row or a header, and each test here fails without its fix."""

import http.client
import json
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Process, Task

from accounts.models import Organisation, User
from core.errors import PermissionDenied, ValidationFailed
from core.models import AuditEvent
from core.views import server_error
from documents.previews import previews_make_pending
from documents.retention import legal_hold_place
from documents.retention_models import LegalHold
from documents.services import version_open
from documents.upload_sessions import UploadSession
from eservices.models import Application
from eservices.selectors import decision_letter_of
from eservices.services import application_apply, application_save_draft

from . import cases
from .factories import PERMIT_DATA, permit_files
from .test_bad_input import apply_payload, field_error_shown, page, snapshot, stored_files


def problem(response):
    """The problem document of a response (and that it is one)."""
    assert response["Content-Type"] == "application/problem+json", (response.status_code, response.content[:300])
    return json.loads(response.content)


def csrf_client(user):
    """A signed-in client that sends a CSRF cookie and header as a browser's script does."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # a page that sets the CSRF cookie
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else "x" * 32
    client.cookies["csrftoken"] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


# --- 2. deeply nested JSON -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    pytest.param("[" * 2000, id="2000 open brackets"),
    pytest.param("[" * 2000 + "]" * 2000, id="2000 levels, well formed"),
    pytest.param('{"name": ' + '{"a": ' * 100 + "1" + "}" * 100 + ', "size": 1}', id="100 levels of objects"),
])
def test_deeply_nested_json_to_an_api_write_is_a_400_problem(people, body):
    client = csrf_client(people.citizen)
    audit_rows = AuditEvent.objects.count()
    response = client.post("/api/v1/uploads/", data=body, content_type="application/json")
    assert response.status_code == 400
    body = problem(response)
    assert body["code"] == "too_deeply_nested"
    assert body["title"] == "The JSON body is nested more than 32 levels deep."
    assert not UploadSession.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_json_nested_a_few_levels_is_still_read(people):
    client = csrf_client(people.citizen)
    response = client.post("/api/v1/uploads/", data={"name": "plan.pdf", "size": 10}, content_type="application/json")
    assert response.status_code == 201, response.content


# --- 3. a NUL byte in the address ------------------------------------------------------------------------------------

NULL_MESSAGE = "The address contains a null character (%00), which no page accepts. Please check the link."


@pytest.mark.parametrize("url", ["/api/v1/services/a%00b/", "/api/v1/services/?page=%00", "/api/v1/services/?x%00=1"])
def test_a_null_byte_in_an_api_address_is_a_400_problem(client, permit_service, url):
    response = client.get(url)
    assert response.status_code == 400
    assert problem(response)["code"] == "null_character"
    assert problem(response)["title"] == NULL_MESSAGE


@pytest.mark.parametrize("url", ["/audit/?q=%00", "/audit/?q=a%00b", "/audit/trail/a%00b/"])
def test_a_null_byte_in_a_page_address_is_a_400_with_a_message(client, people, url):
    client.force_login(people.auditor)
    response = client.get(url)
    assert response.status_code == 400
    assert NULL_MESSAGE in response.content.decode().replace("&#x27;", "'")


def test_a_null_byte_in_a_form_post_address_changes_nothing(client, people):
    client.force_login(people.citizen)
    audit_rows = AuditEvent.objects.count()
    response = client.post("/services/building-permit%00/apply/", {"action": "save", "site_address": "x"})
    assert response.status_code == 400
    assert AuditEvent.objects.count() == audit_rows


# --- 10. every error under /api/ is a problem document with one type base --------------------------------------------

def api_problem(response, status, code):
    body = problem(response)
    assert (response.status_code, body["status"], body["code"]) == (status, status, code), body
    assert body["type"] == f"https://munis.example/problems/{code}"
    assert body["title"]
    return body


def test_api_errors_raised_by_drf_django_and_our_services_share_one_type_base(client, people):
    api_problem(client.get("/api/v1/applications/"), 403, "not_authenticated")
    api_problem(client.get("/api/v1/no-such-thing/"), 404, "not_found")
    api_problem(client.delete("/api/v1/services/"), 405, "method_not_allowed")
    client.force_login(people.citizen)
    api_problem(client.get("/api/v1/applications/424242/"), 404, "not_found")
    api_problem(client.get("/api/v1/uploads/00000000-0000-0000-0000-000000000000/"), 404, "not_found")
    api_problem(client.post("/api/v1/uploads/", "text", content_type="text/plain"), 415, "unsupported_media_type")
    invalid = api_problem(client.post("/api/v1/uploads/", {}, content_type="application/json"), 400, "invalid")
    assert set(invalid["fields"]) == {"name", "size"}


def test_an_api_body_over_the_memory_limit_is_a_413_problem(client, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(people.citizen)
    response = client.post("/api/v1/uploads/", {"name": "x" * 2000, "size": 1}, content_type="application/json")
    body = api_problem(response, 413, "request_too_large")
    assert body["title"] == "What was sent is larger than the 1000\xa0bytes read at once (files excepted)."
    assert not UploadSession.objects.exists()


def test_an_api_body_with_too_many_fields_is_a_400_problem(client, people, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(people.citizen)
    form = "&".join(f"f{n}=1" for n in range(20)) + "&name=a.pdf&size=1"
    response = client.post("/api/v1/uploads/", form, content_type="application/x-www-form-urlencoded")
    body = api_problem(response, 400, "too_many_fields")
    assert body["title"] == "What was sent has more than 10 fields."
    assert not UploadSession.objects.exists()


def test_a_page_sent_a_body_over_the_memory_limit_answers_413_with_a_message(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/accounts/login/", {"username": "a@example.org", "password": "x" * 2000})
    assert response.status_code == 413
    assert "What was sent is larger than the 1000\xa0bytes read at once" in response.content.decode()


def test_a_server_error_under_the_api_is_a_problem_document(rf):
    api_problem(server_error(rf.get("/api/v1/services/")), 500, "server_error")
    assert server_error(rf.get("/services/"))["Content-Type"].startswith("text/html")


# --- 8. a case's documents stay out of browser and proxy caches ------------------------------------------------------

def test_downloads_previews_and_decisions_are_never_stored_by_a_cache(client, people):
    application = cases.approved(people.citizen, people)
    previews_make_pending()
    version = cases.versions_of(application).filter(document__code="site_plan").first()
    urls = [reverse("eservices:decision", args=[application.pk]),
            reverse("eservices:document", args=[application.pk, version.pk]),
            reverse("eservices:document_preview", args=[application.pk, version.pk])]
    for user in (people.citizen, people.clerk):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            b"".join(response.streaming_content)
            assert response["Cache-Control"] == "private, no-store", url
            assert "Expires" not in response


# --- 9. refused attempts on others' objects are logged ----------------------------------------------------------------

def security_records(caplog):
    return [r for r in caplog.records if r.name == "munis.security"]


def test_refused_attempts_on_others_objects_name_user_address_path_and_request(client, people, caplog):
    theirs = cases.submitted(people.other_citizen)
    client.force_login(people.citizen)
    attempts = [
        (f"/applications/{theirs.pk}/", 404),  # a page: Django's Http404
        (f"/api/v1/applications/{theirs.pk}/", 404),  # the API: DRF's not found
        (f"/applications/{theirs.pk}/correction/", 404),
        ("/audit/", 403),  # a page: Django's PermissionDenied
        ("/staff/inbox/", 403),
    ]
    for path, status in attempts:
        caplog.clear()
        with caplog.at_level("WARNING", logger="munis.security"):
            response = client.get(path, REMOTE_ADDR="203.0.113.9")
        assert response.status_code == status, path
        [record] = security_records(caplog)
        assert (record.status, record.user_id, record.ip, record.path, record.method) == (
            status, people.citizen.pk, "203.0.113.9", path, "GET")
        assert record.refused_request_id == response["X-Request-ID"]
        message = record.getMessage()
        assert f"user {people.citizen.pk}" in message and "203.0.113.9" in message and path in message


def test_a_service_refusing_a_signed_in_user_is_logged(client, people, caplog):
    application = cases.in_review(people.citizen, people.clerk)
    task = cases.open_task(application, "review_fire_safety")
    client.force_login(people.environment)  # a clerk of another department
    with caplog.at_level("WARNING", logger="munis.security"):
        response = client.post(reverse("workflows:claim", args=[task.pk]), REMOTE_ADDR="198.51.100.4")
    assert response.status_code in (403, 404)
    [record] = security_records(caplog)
    assert (record.user_id, record.ip, record.status) == (people.environment.pk, "198.51.100.4", response.status_code)


def test_an_address_that_matches_no_page_is_not_a_refusal(client, people, caplog):
    client.force_login(people.citizen)
    with caplog.at_level("WARNING", logger="munis.security"):
        assert client.get("/no-such-page/").status_code == 404
        assert client.get("/api/v1/no-such-thing/").status_code == 404
    assert security_records(caplog) == []


# --- 7. invisible direction controls are refused where people type ---------------------------------------------------

RLO = "\u202e"
RLO_MESSAGE = ("Remove the invisible control character(s) U+202E Right-To-Left Override: they make text read "
               "differently from how it shows.")


def test_a_permit_application_with_a_direction_override_is_refused_and_nothing_written(client, people, settings):
    client.force_login(people.citizen)
    before = snapshot()
    for action in ("submit", "save"):
        response = client.post("/services/building-permit/apply/",
                               apply_payload({"site_address": f"12 Navoi Street {RLO}LTR"}, action=action))
        assert response.status_code == 400
        assert field_error_shown(response, "site_address", RLO_MESSAGE), page(response)[-3000:]
    assert snapshot() == before
    assert stored_files(settings) == []


@pytest.mark.parametrize("text", ["\u2066x\u2069", "a\u200bb", "\ufeffx", "x\u200e", "\u202ax\u202c"])
def test_the_application_service_refuses_invisible_controls_in_any_text(people, permit_service, text):
    with pytest.raises(ValidationFailed) as refused:
        application_apply(actor=people.citizen, service_type=permit_service,
                          data={**PERMIT_DATA, "site_address": f"12 Navoi Street {text}"}, files=permit_files())
    [message] = refused.value.fields["site_address"]
    assert message.startswith("Remove the invisible control character(s) U+")
    assert not Application.objects.exists()


def test_a_review_comment_with_a_direction_override_is_refused(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    task = cases.claimed(application, "review_architecture", people.clerk)
    client.force_login(people.clerk)
    audit_rows = AuditEvent.objects.count()
    response = client.post(reverse("workflows:task", args=[task.pk]),
                           {"favourable": "yes", "comment": f"Fine {RLO}enod"})
    assert response.status_code == 400
    assert RLO_MESSAGE in response.content.decode().replace("&#x27;", "'")
    task.refresh_from_db()
    assert task.status != "DONE" and AuditEvent.objects.count() == audit_rows


def test_a_full_name_with_a_direction_override_is_refused_at_sign_up(client, db):
    response = client.post("/accounts/signup/", {
        "full_name": f"Zarina {RLO}avotnekhsaT", "email": "zarina@example.org", "preferred_language": "en",
        "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})
    assert response.status_code == 400
    assert RLO_MESSAGE in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.exists()


def test_right_to_left_text_itself_is_welcome(people, permit_service):
    draft = application_save_draft(actor=people.citizen, service_type=permit_service,
                                   data={"site_address": "شارع نوائي ١٢"}, files={})
    assert draft.data["site_address"] == "شارع نوائي ١٢"


# --- 5. the engine's rows are read-only in the admin -----------------------------------------------------------------

def test_an_administrator_cannot_edit_engine_tasks_or_processes_in_the_admin(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    task = cases.open_task(application, "review_fire_safety")
    process = Process.objects.get(pk=application.process_id)
    other_department = Organisation.objects.get(code="dept-environment")
    columns = ("status", "owner_id", "owner_permission", "owner_permission_obj_pk", "data", "flow_task")
    before = list(Task.objects.filter(process=process).order_by("pk").values_list(*columns))
    process_before = Process.objects.filter(pk=process.pk).values_list("status", "data", "finished").get()
    audit_rows = AuditEvent.objects.count()
    client.force_login(people.admin)

    page = client.get(f"/admin/viewflow/task/{task.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # a view, no form to send
    moved = {"owner_permission": task.owner_permission, "owner_permission_obj_pk": str(other_department.pk),
             "owner": people.environment.pk, "status": "NEW", "data": "{}", "_save": "Save"}
    assert client.post(f"/admin/viewflow/task/{task.pk}/change/", moved).status_code == 403
    assert client.post(f"/admin/viewflow/task/{task.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/viewflow/task/add/").status_code == 403
    assert client.post(f"/admin/viewflow/process/{process.pk}/change/", {
        "status": "DONE", "data": "{}", "task_set-TOTAL_FORMS": "0", "task_set-INITIAL_FORMS": "0",
        "_save": "Save"}).status_code == 403
    assert client.post(f"/admin/viewflow/process/{process.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/viewflow/process/add/").status_code == 403

    assert list(Task.objects.filter(process=process).order_by("pk").values_list(*columns)) == before
    assert Process.objects.filter(pk=process.pk).values_list("status", "data", "finished").get() == process_before
    assert AuditEvent.objects.count() == audit_rows
    assert client.get("/admin/viewflow/task/").status_code == 200  # the lists still read
    assert client.get("/admin/viewflow/process/").status_code == 200


# --- 4. an oversized comparison on /verify/ ---------------------------------------------------------------------------

def _oversized_compare(live_server, path, size):
    """POST ``size`` bytes of a multipart body to the development server (Django's own, as ``make run``)."""
    boundary = "munisboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"big.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"%PDF-1.7\n" + b"0" * (size - len(head) - len(tail) - 9) + tail
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request("POST", path, body=body,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_an_oversized_comparison_on_the_verify_page_is_a_413_on_the_development_server(
        transactional_db, live_server, people, settings):

    settings.MUNIS_UPLOAD_MAX_BYTES = 100_000
    issued = decision_letter_of(cases.approved(people.citizen, people))
    status, page = _oversized_compare(live_server, f"/verify/{issued.display_code}/", 400_000)
    assert status == 413, page[:500]
    assert "The file is larger than 97.7\xa0KB, so it is not a document issued here." in page.replace("&nbsp;", "\xa0")

    response = Client().post(f"/verify/{issued.display_code}/", {
        "pdf": SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * 400_000, content_type="application/pdf")})
    assert response.status_code == 413
    assert not {"connection", "keep-alive", "transfer-encoding", "upgrade"} & {h.lower() for h in response.headers}


# --- 11. a draft is its applicant's alone; the auditors' legal-hold desk ---------------------------------------------

def test_nobody_but_the_applicant_reads_a_draft_auditors_and_administrators_included(client, people):
    draft = cases.draft(people.citizen, site_address="7 Amir Temur Avenue, flat 3")
    [site_plan] = cases.versions_of(draft)
    submitted = cases.submitted(people.other_citizen)
    pages = [f"/applications/{draft.pk}/", f"/applications/{draft.pk}/documents/{site_plan.pk}/",
             f"/api/v1/applications/{draft.pk}/"]
    for user in (people.auditor, people.admin, people.clerk, people.other_citizen):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 404, (user, url)
    with pytest.raises(PermissionDenied):
        version_open(actor=people.auditor, version=site_plan)
    client.force_login(people.auditor)
    assert client.get(f"/applications/{submitted.pk}/").status_code == 200  # every submitted case stays readable
    client.force_login(people.citizen)
    for url in pages:
        assert client.get(url).status_code == 200, url
    saved = AuditEvent.objects.get(action="eservices.application.save_draft")
    assert saved.after == {"fields": ["site_address"], "version": 1, "district": None}  # which fields, not what they say


def test_an_auditor_places_and_releases_a_legal_hold_on_a_case_by_its_reference(client, people):
    application = cases.submitted(people.citizen)
    client.force_login(people.auditor)
    assert 'href="/audit/holds/"' in client.get("/audit/").content.decode()

    response = client.post("/audit/holds/", {"reference": application.reference.lower(),
                                             "reason": "Audit of 2026 permits"})
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.case, hold.reason, hold.placed_by, hold.released_at) == (
        application, "Audit of 2026 permits", people.auditor, None)
    placed = AuditEvent.objects.get(action="documents.hold.place")
    assert placed.actor_id == people.auditor.pk and placed.after["reason"] == "Audit of 2026 permits"
    listing = client.get("/audit/holds/").content.decode()
    assert "Audit of 2026 permits" in listing and f"/audit/holds/{hold.pk}/release/" in listing

    refused = client.post(f"/audit/holds/{hold.pk}/release/", {f"release-{hold.pk}-reason": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    response = client.post(f"/audit/holds/{hold.pk}/release/", {f"release-{hold.pk}-reason": "Audit closed"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert (hold.released_by, hold.release_reason) == (people.auditor, "Audit closed")
    released = AuditEvent.objects.get(action="documents.hold.release")
    assert released.actor_id == people.auditor.pk and released.trail_key == placed.trail_key

    unknown = client.post("/audit/holds/", {"reference": "BP-1999-000001", "reason": "x"})
    assert unknown.status_code == 400 and "No case has the reference BP-1999-000001." in unknown.content.decode()


def test_a_clerk_has_no_legal_hold_desk(client, people):
    application = cases.submitted(people.citizen)
    hold = legal_hold_place(actor=people.auditor, case=application, reason="Court case 2-114/2026")
    client.force_login(people.clerk)
    assert client.get("/audit/holds/").status_code == 403
    assert client.post("/audit/holds/", {"reference": application.reference, "reason": "x"}).status_code == 403
    assert client.post(f"/audit/holds/{hold.pk}/release/", {f"release-{hold.pk}-reason": "x"}).status_code == 403
    assert LegalHold.objects.get().released_at is None and LegalHold.objects.count() == 1
