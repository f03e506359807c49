"""API clients: an operator registers an outside application, hands it the key printed once, and revokes it;
the application authenticates with that key and nothing else; the database and the admin never show the key."""

import datetime
import hashlib
import io
import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_ratelimit.decorators import ratelimit
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core import audit
from core.api_clients import (
    ApiKeyAuthentication,
    HasApiClient,
    api_client_for_key,
    api_client_mark_used,
    api_client_or_ip,
    api_client_register,
    api_client_revoke,
)
from core.errors import ValidationFailed
from core.models import ApiClient, AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class WhoCalls(APIView):
    """An endpoint an outside application calls, as the Open311 one will be guarded."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiClient]

    def get(self, request):
        return Response({"client": request.auth.name, "user_authenticated": request.user.is_authenticated})

    post = get


def call(method="post", **params):
    factory = APIRequestFactory()
    request = factory.post("/who/", params) if method == "post" else factory.get("/who/", params)
    response = WhoCalls.as_view()(request)
    response.render()
    return response.status_code, json.loads(response.content)


def create(name, *args):
    out = io.StringIO()
    call_command("create_api_client", name, *args, stdout=out)
    return out.getvalue().splitlines()


def test_the_command_prints_a_key_once_that_then_authenticates_the_application():
    lines = create("FixMyStreet app", "--contact", "ops@fixmystreet.example")
    key = lines[1]
    client = ApiClient.objects.get()
    assert lines[0] == f"Registered the API client FixMyStreet app (key {key[:8]}…). Its API key:"
    assert "will not be shown again" in lines[2]
    assert (client.name, client.contact, client.key_prefix, client.is_active) == (
        "FixMyStreet app", "ops@fixmystreet.example", key[:8], True)
    assert call("post", api_key=key, service_code="pothole") == (
        200, {"client": "FixMyStreet app", "user_authenticated": False})
    assert call("get", api_key=key)[0] == 200  # in the query as well as in a posted form


def test_the_stored_row_and_its_trail_hold_no_key_in_clear():
    key = create("FixMyStreet app")[1]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiClient._meta.db_table}")
        row = cursor.fetchone()
    assert not any(key in str(value) for value in row)
    assert ApiClient.objects.get().key_hash == hashlib.sha256(key.encode()).hexdigest()
    event = AuditEvent.objects.get()
    assert key not in json.dumps([event.before, event.after, event.object_label])


def test_a_name_taken_in_any_letter_case_is_refused_with_a_clear_error():
    create("FixMyStreet app")
    with pytest.raises(CommandError, match="An API client with this name exists already."):
        create("fixmystreet APP")
    with pytest.raises(CommandError, match="This field cannot be blank."):
        create("   ")
    assert ApiClient.objects.count() == 1


def test_a_revoked_key_no_longer_authenticates():
    key = create("FixMyStreet app")[1]
    out = io.StringIO()
    call_command("revoke_api_client", "fixmystreet app", stdout=out)
    assert "Revoked the API client FixMyStreet app" in out.getvalue()
    status, body = call("post", api_key=key)
    assert (status, body["code"], body["title"]) == (403, "invalid_api_key", "The API key is not valid.")
    assert api_client_for_key(key) is None
    client = ApiClient.objects.get()
    assert not client.is_active and client.revoked_at is not None
    with pytest.raises(CommandError, match="was revoked already"):
        call_command("revoke_api_client", "FixMyStreet app", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No API client is named 'Nobody'"):
        call_command("revoke_api_client", "Nobody", stdout=io.StringIO())


def test_a_new_key_works_and_the_old_one_stops_at_once():
    old = create("FixMyStreet app")[1]
    out = io.StringIO()
    call_command("rotate_api_client_key", "FixMyStreet app", stdout=out)
    new = out.getvalue().splitlines()[1]
    assert new != old and ApiClient.objects.get().key_prefix == new[:8]
    assert call("post", api_key=new)[0] == 200
    assert call("post", api_key=old)[0] == 403


def test_a_request_without_a_key_or_with_rubbish_is_refused_not_failed():
    assert call("post")[1]["code"] == "not_authenticated"
    assert call("post", api_key="x" * 5000)[1]["code"] == "invalid_api_key"
    assert api_client_for_key("") is None and api_client_for_key(None) is None


def test_registering_revoking_and_a_new_key_are_audited_by_prefix():
    admin = UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True)
    client, key = api_client_register(name="Kiosk network", actor=admin)
    call_command("rotate_api_client_key", "Kiosk network", stdout=io.StringIO())
    client.refresh_from_db()
    api_client_revoke(client=client, actor=admin)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["core.api_client.register", "core.api_client.rotate_key",
                                          "core.api_client.revoke"]
    assert [audit.describe(e) for e in events] == [
        f"Ada Admin registered the API client Kiosk network (key {key[:8]}…).",
        f"system gave the API client Kiosk network a new key {client.key_prefix}… in place of {key[:8]}….",
        f"Ada Admin revoked the API client Kiosk network (key {client.key_prefix}…).",
    ]
    assert {e.object_id for e in events} == {str(client.pk)}
    assert audit.verify_chain().ok


def test_the_service_refuses_a_bad_contact_address_and_writes_nothing():
    with pytest.raises(ValidationFailed) as refused:
        api_client_register(name="Platform", contact="not an address")
    assert refused.value.fields["contact"] == ["Enter a valid email address."]
    assert not ApiClient.objects.exists() and not AuditEvent.objects.exists()


def test_last_use_is_written_at_most_once_a_minute(django_assert_num_queries):
    client, key = api_client_register(name="Platform")
    assert client.last_used_at is None
    with django_assert_num_queries(2):  # the lookup, and the first use noted
        assert call("post", api_key=key)[0] == 200
    first = ApiClient.objects.get().last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only
        assert call("post", api_key=key)[0] == 200
    client = api_client_for_key(key)
    api_client_mark_used(client, now=first + datetime.timedelta(seconds=59))
    assert ApiClient.objects.get().last_used_at == first
    api_client_mark_used(client, now=first + datetime.timedelta(seconds=61))
    assert ApiClient.objects.get().last_used_at == first + datetime.timedelta(seconds=61)


def test_each_client_has_its_own_rate_allowance_and_callers_without_a_key_share_theirs_by_address():
    cache.clear()

    @ratelimit(key=api_client_or_ip, rate="2/m", method="POST", block=False)
    def endpoint(request):
        return getattr(request, "limited", False)

    _first, key_a = api_client_register(name="App A")
    _second, key_b = api_client_register(name="App B")
    factory = RequestFactory()

    def limited(address, **form):
        return endpoint(factory.post("/requests.json", form, REMOTE_ADDR=address))

    assert [limited("198.51.100.7", api_key=key_a) for _ in range(3)] == [False, False, True]
    # the second application, from the same server, still has its own allowance
    assert [limited("198.51.100.7", api_key=key_b) for _ in range(2)] == [False, False]
    # callers without a key (or with a wrong one) are counted by address; an IPv6 caller by its /64
    assert [limited("203.0.113.5"), limited("203.0.113.5", api_key="wrong"), limited("203.0.113.5")] == [
        False, False, True]
    assert [limited("2001:db8::1"), limited("2001:db8::2"), limited("2001:db8::3")] == [False, False, True]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(full_name="Ada Admin", is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_the_key_once_when_adding_and_never_again(admin_client):
    response = admin_client.post(reverse("admin:core_apiclient_add"),
                                 {"name": "National platform", "contact": "it@gov.example"})
    assert response.status_code == 200
    key = response.context["key"]
    page = response.content.decode()
    assert f'<code id="api-key">{key}</code>' in page and "will not be shown again" in page
    assert "no-store" in response["Cache-Control"]
    client = ApiClient.objects.get()
    assert api_client_for_key(key) == client
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_label) == ("core.api_client.register", "Ada Admin")

    for url in (reverse("admin:core_apiclient_changelist"), reverse("admin:core_apiclient_change", args=[client.pk]),
                reverse("admin:core_apiclient_history", args=[client.pk])):
        page = admin_client.get(url).content.decode()
        assert key not in page, url
    assert f"{key[:8]}…" in admin_client.get(reverse("admin:core_apiclient_changelist")).content.decode()
    assert not any(key in str(value) for value in LogEntry.objects.values_list("object_repr", "change_message"))


def test_the_admin_refuses_a_name_taken_with_a_form_error(admin_client):
    api_client_register(name="National platform")
    response = admin_client.post(reverse("admin:core_apiclient_add"), {"name": "NATIONAL PLATFORM"})
    assert response.status_code == 200
    assert "An API client with this name exists already." in response.content.decode()
    assert ApiClient.objects.count() == 1


def test_the_admin_revokes_and_gives_a_new_key_through_the_services(admin_client):
    client, old = api_client_register(name="Kiosk network")
    changelist = reverse("admin:core_apiclient_changelist")
    response = admin_client.post(changelist, {"action": "rotate_key", "_selected_action": [client.pk]})
    new = response.context["key"]
    assert new != old and api_client_for_key(new) == client and api_client_for_key(old) is None
    response = admin_client.post(changelist, {"action": "revoke", "_selected_action": [client.pk]}, follow=True)
    assert "1 API client revoked." in response.content.decode()
    assert api_client_for_key(new) is None
    assert list(AuditEvent.objects.filter(actor__isnull=False).values_list("action", flat=True)) == [
        "core.api_client.rotate_key", "core.api_client.revoke"]
    assert admin_client.post(reverse("admin:core_apiclient_delete", args=[client.pk])).status_code == 403
    assert timezone.now() >= ApiClient.objects.get().revoked_at
