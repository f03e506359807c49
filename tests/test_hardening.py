"""Faults a probe of every role against every route found (issue 14, "Hardening"): each is now a clear
4xx, a lock, an audit row or a header, and each test here fails without its fix."""

import pytest
from django.test import Client

from core.models import AuditEvent
from documents.upload_sessions import UploadSession


def problem(response):
    """The problem document of a response (and that it is one)."""
    assert response["Content-Type"] == "application/problem+json", (response.status_code, response.content[:300])
    return response.json()


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
