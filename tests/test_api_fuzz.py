"""An outside fuzzer (schemathesis) against our own OpenAPI schema, as an anonymous caller and as a signed-in
citizen: every answer is one the schema states (status, content type, body), and none is a server error."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from config.wsgi import application

from .factories import UserFactory

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def wsgi_in_test_transaction(db):
    """The WSGI handler closes the database connection after each request; the test client keeps it open for the
    test's transaction, and so must we."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          deadline=None)
def test_api_anonymous(case, wsgi_in_test_transaction):
    case.call_and_validate()


@pytest.fixture
def citizen_session(wsgi_in_test_transaction, client):
    """A signed-in citizen's session cookie and a CSRF token, so writes reach the operations themselves."""
    from django.middleware.csrf import _get_new_csrf_string

    client.force_login(UserFactory(full_name="Fuzz Citizen"))
    token = _get_new_csrf_string()
    return {"cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": token},
            "headers": {"X-CSRFToken": token}}


@schema.parametrize()
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
          deadline=None)
def test_api_as_a_citizen(case, citizen_session):
    case.cookies = {**(case.cookies or {}), **citizen_session["cookies"]}
    # Whether a request without valid credentials is refused is the anonymous run's check: here every request
    # carries the citizen's session by design.
    case.call_and_validate(headers=citizen_session["headers"], excluded_checks=[ignored_auth])


def test_a_page_that_is_not_a_number_is_refused(client, db):
    client.force_login(UserFactory())
    for value in ("", "two", "-1"):
        response = client.get("/api/v1/applications/", {"page": value})
        assert response.status_code == 404, value
        assert response["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/applications/", {"page": "1"}).status_code == 200
