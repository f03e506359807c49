"""Open311 GeoReport v2 at /open311/v2/: an outside Open311 client (tests.open311_client, the ``three`` library)
lists the services, posts a report with its application's key and reads it back, in JSON and in XML, and meets the
spec's error list for every refusal; then, through Django's test client, what the endpoint checks, where a posted
report ends up, how requests are searched, and that nobody reading learns who reported."""

import datetime
import io
import json
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone

from core.api_clients import api_client_register, api_client_revoke
from core.models import AuditEvent
from reports.models import CategoryAttribute, Report
from tests.open311_client import Open311Client
from workflows.models import OpenTask

from .conftest import NORTH_POINT, OUTSIDE_POINT, SOUTH_POINT
from .helpers import file_report, work

S = Report.Status
BASE = "/open311/v2/"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def street_app(db):
    """A registered Open311 application: ``(client, key)``."""
    return api_client_register(name="Street app", contact="dev@street.example")


def _app(live_server, key, fmt="json"):
    return Open311Client(f"{live_server.url}{BASE}", api_key=key, jurisdiction="munis.example", format=fmt)


def _ask_depth(category):
    return CategoryAttribute.objects.create(
        category=category, code="depth", datatype=CategoryAttribute.Datatype.SINGLE, required=True, order=1,
        description_en="How deep is it?", description_ru="Насколько она глубока?",
        values=[{"key": "shallow", "name": "Shallow"}, {"key": "deep", "name": "Deeper than a wheel"}])


# --- an outside client against a live server -----------------------------------------------------------

def test_an_app_lists_the_services_posts_a_report_and_reads_it_back_in_json(live_server, city, street_app):
    _ask_depth(city.pothole)
    app = _app(live_server, street_app[1])

    discovery = app.discovery()
    [endpoint] = discovery["endpoints"]
    assert endpoint["url"] == f"{live_server.url}{BASE}" and endpoint["type"] == "production"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"] and discovery["changeset"]

    services = app.services()
    assert [s["service_code"] for s in services] == ["lighting", "roads", "pothole", "water"]
    pothole = services[2]
    assert pothole == {"service_code": "pothole", "service_name": "Pothole", "description": "", "metadata": True,
                       "type": "realtime", "keywords": "pothole, hole", "group": "Roads"}
    assert services[3]["group"] == "Water supply" and services[3]["metadata"] is False
    definition = app.services("pothole")
    assert definition == {"service_code": "pothole", "attributes": [{
        "variable": True, "code": "depth", "datatype": "singlevaluelist", "required": True,
        "datatype_description": None, "order": 1, "description": "How deep is it?",
        "values": [{"key": "shallow", "name": "Shallow"}, {"key": "deep", "name": "Deeper than a wheel"}]}]}

    [filed] = app.post("pothole", lat=NORTH_POINT[0], long=NORTH_POINT[1], description="A hole by the school",
                       email="walker@example.org", first_name="Dilnoza", last_name="Walker", phone="+998 90 123",
                       **{"attribute[depth]": "deep"})
    assert app.post_response.status_code == 201
    report = Report.objects.get()
    assert filed["service_request_id"] == report.reference and filed["token"] == str(report.token)
    assert filed["account_id"] is None and report.reference in filed["service_notice"]
    assert report.api_client == "Street app" and report.attributes == {"depth": "deep"}
    assert report.contact_name == "Dilnoza Walker" and report.contact_email == "walker@example.org"

    [read] = app.request(report.reference)
    assert app._request.status_code == 200
    assert read["service_request_id"] == report.reference and read["status"] == "open"
    assert read["service_code"] == "pothole" and read["service_name"] == "Pothole"
    assert read["description"] == "A hole by the school" and read["agency_responsible"] == "Roads North"
    assert (read["lat"], read["long"]) == NORTH_POINT
    assert read["requested_datetime"] == timezone.localtime(report.created_at).isoformat(timespec="seconds")
    assert read["expected_datetime"] > read["requested_datetime"]  # the category's three days to resolve
    assert [r["service_request_id"] for r in app.requests()] == [report.reference]
    assert app.token(filed["token"]) == [{"service_request_id": report.reference, "token": filed["token"]}]


def test_an_app_does_the_same_in_xml(live_server, city, street_app):
    _ask_depth(city.pothole)
    app = _app(live_server, street_app[1], fmt="xml")

    assert app.discovery()["endpoints"]["endpoint"]["formats"] == {"format": ["text/xml", "application/json"]}
    services = app.services()["service"]
    assert [s["service_code"] for s in services] == ["lighting", "roads", "pothole", "water"]
    assert services[2]["metadata"] == "true" and services[2]["group"] == "Roads"
    attribute = app.services("pothole")["attributes"]["attribute"]
    assert attribute["code"] == "depth" and attribute["required"] == "true"
    assert attribute["values"]["value"] == [{"key": "shallow", "name": "Shallow"},
                                            {"key": "deep", "name": "Deeper than a wheel"}]

    filed = app.post("water", lat=SOUTH_POINT[0], long=SOUTH_POINT[1], description="No water since Monday")
    assert app.post_response.status_code == 201
    report = Report.objects.get()
    assert filed["request"]["service_request_id"] == report.reference
    assert filed["request"]["token"] == str(report.token)
    assert app.post_response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>')

    read = app.request(report.reference)["request"]
    assert read["service_request_id"] == report.reference and read["agency_responsible"] == "Vodokanal"
    assert read["status"] == "open" and float(read["lat"]) == SOUTH_POINT[0]
    assert app.token(str(report.token))["request"] == {"service_request_id": report.reference,
                                                        "token": str(report.token)}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_refusal_is_the_specs_error_list(live_server, city, street_app, fmt):
    client, key = street_app
    file_report(city)
    app = _app(live_server, key, fmt)

    def refused(status, words):
        response = app.post_response if app.post_response is not None else app._request
        answer = app.convert(response.content, True)
        [error] = answer if fmt == "json" else [answer["error"]]
        assert response.status_code == status and int(error["code"]) == status, response.content
        assert words in error["description"], error["description"]
        app.post_response = None

    app.post_response = None
    ok = {"lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "A hole"}
    app.post("pothole", api_key="", **ok)
    refused(403, "api_key is missing")
    app.post("pothole", api_key="not-a-key-of-ours", **ok)
    refused(403, "api_key is not valid")
    app.post("no-such-service", **ok)
    refused(400, "service_code: No service has the code")
    app.post("pothole", description="Somewhere")
    refused(400, "lat: Say where the problem is")
    app.post("pothole", lat="north-ish", long=NORTH_POINT[1], description="A hole")
    refused(400, "lat: Enter a number.")
    app.post("pothole", lat=NORTH_POINT[0], long="1e999", description="A hole")
    refused(400, "long: Enter a number.")
    app.request("PR-1999-999999")
    refused(404, "No public request has the id")
    app.services("no-such-service")
    refused(404, "No service has the code")
    app.token("00000000-0000-0000-0000-000000000000")
    refused(404, "No request has the token")

    api_client_revoke(client=client, actor=None)
    app.post("pothole", **ok)
    refused(403, "api_key is not valid")
    assert Report.objects.count() == 1  # only the resident's


# --- what a post is checked for, and where it ends up ------------------------------------------------------

def _post(browser, key, fmt="json", **data):
    return browser.post(f"{BASE}requests.{fmt}", {"api_key": key, **data})


def _errors(response):
    return [error["description"] for error in json.loads(response.content)]


def test_a_place_outside_the_city_is_refused(client, city, street_app):
    response = _post(client, street_app[1], service_code="pothole", lat=OUTSIDE_POINT[0], long=OUTSIDE_POINT[1],
                     description="A hole")
    assert response.status_code == 400
    assert json.loads(response.content) == [{"code": 400, "description": "lat: This place is outside the city. "
                                                                        "Reports can only be made about places "
                                                                        "within it."}]
    assert not Report.objects.exists()


def test_a_ten_thousand_character_description_is_refused(client, city, street_app):
    response = _post(client, street_app[1], service_code="pothole", lat=NORTH_POINT[0], long=NORTH_POINT[1],
                     description="x" * 10_000)
    assert response.status_code == 400
    assert _errors(response) == ["description: The description is 10000 characters long; the limit is 2000."]
    assert not Report.objects.exists()


def test_a_required_question_must_be_answered_from_its_list(client, city, street_app):
    _ask_depth(city.pothole)
    where = {"service_code": "pothole", "lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "A hole"}

    missing = _post(client, street_app[1], **where)
    assert missing.status_code == 400
    assert _errors(missing) == ["attribute[depth]: Answer the question “How deep is it?”."]
    wrong = _post(client, street_app[1], **where, **{"attribute[depth]": "bottomless"})
    assert wrong.status_code == 400
    assert _errors(wrong) == ["attribute[depth]: “bottomless” is not one of the answers to “How deep is it?”: "
                              "choose shallow, deep."]
    assert not Report.objects.exists()

    assert _post(client, street_app[1], **where, **{"attribute[depth]": "shallow", "attribute[colour]": "x"}
                 ).status_code == 201
    assert Report.objects.get().attributes == {"depth": "shallow"}  # what the service does not ask is dropped


def test_several_answers_and_numbers_are_checked_by_their_kind(client, city, street_app):
    CategoryAttribute.objects.create(category=city.water, code="floors", datatype="number", description="Floors")
    CategoryAttribute.objects.create(category=city.water, code="since", datatype="datetime", description="Since")
    CategoryAttribute.objects.create(category=city.water, code="where", datatype="multivaluelist", description="Where",
                                     values=[{"key": "kitchen", "name": "Kitchen"}, {"key": "bath", "name": "Bath"}])
    where = {"service_code": "water", "lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "Dry taps"}

    wrong = _post(client, street_app[1], **where, **{"attribute[floors]": "nine", "attribute[since]": "Monday"})
    assert wrong.status_code == 400
    assert sorted(_errors(wrong)) == [
        "attribute[floors]: The answer to “Floors” must be a number.",
        "attribute[since]: The answer to “Since” must be a date and time, such as 2026-03-01T08:15:00+05:00."]

    assert _post(client, street_app[1], **where, **{"attribute[floors]": "9", "attribute[since]": "2026-03-01",
                                                    "attribute[where][]": ["kitchen", "bath"]}).status_code == 201
    answers = Report.objects.get().attributes
    assert answers["floors"] == 9 and answers["where"] == ["kitchen", "bath"]
    assert answers["since"].startswith("2026-03-01T00:00:00")


def test_a_posted_report_is_routed_to_its_supplier_and_its_trail_names_the_channel(city, street_app):
    browser = Client(enforce_csrf_checks=True)  # an app's post carries no CSRF token
    response = _post(browser, street_app[1], service_code="pothole", lat=SOUTH_POINT[0], long=SOUTH_POINT[1],
                     description="A hole at the bus stop", email="walker@example.org")
    assert response.status_code == 201, response.content
    report = Report.objects.get()

    assert report.channel == Report.Channel.OPEN311 and report.status == S.ROUTED and report.is_public
    assert report.supplier == city.roads_south and report.reporter is None
    row = OpenTask.objects.get(process_id=report.process_id)
    assert row.department_id == city.roads_south.pk and row.reference == report.reference
    submit = AuditEvent.objects.get(action="reports.report.submit", object_id=str(report.pk))
    assert submit.actor is None
    assert submit.after["channel"] == "open311" and submit.after["api_client"] == "Street app"
    assert report.followers.get().email == "walker@example.org"


def test_an_app_may_retry_a_post_with_its_idempotency_key_and_files_one_report(client, city, street_app):
    other_key = api_client_register(name="Other app")[1]
    post = {"service_code": "pothole", "lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "A hole"}

    first = client.post(f"{BASE}requests.json", {"api_key": street_app[1], **post}, headers={"Idempotency-Key": "a1"})
    again = client.post(f"{BASE}requests.json", {"api_key": street_app[1], **post}, headers={"Idempotency-Key": "a1"})
    other = client.post(f"{BASE}requests.json", {"api_key": other_key, **post}, headers={"Idempotency-Key": "a1"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 201)
    assert json.loads(again.content) == json.loads(first.content)
    assert Report.objects.count() == 2  # one per application


def test_a_moderated_apps_report_waits_unseen_but_its_token_leads_to_its_number(client, city, street_app, settings):
    settings.MUNIS_OPEN311_MODERATED = True
    response = _post(client, street_app[1], service_code="water", lat=NORTH_POINT[0], long=NORTH_POINT[1],
                     description="Dry taps")
    [filed] = json.loads(response.content)
    report = Report.objects.get()
    assert report.status == S.MODERATION and not report.is_public
    assert "once it has been checked" in filed["service_notice"]

    assert json.loads(client.get(f"{BASE}requests.json").content) == []
    assert client.get(f"{BASE}requests/{report.reference}.json").status_code == 404
    assert json.loads(client.get(f"{BASE}tokens/{filed['token']}.json").content) == [
        {"service_request_id": report.reference, "token": filed["token"]}]


def test_a_photo_link_the_app_keeps_is_shown_and_a_bad_one_refused(client, city, street_app):
    where = {"service_code": "water", "lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "Dry taps"}
    bad = _post(client, street_app[1], **where, media_url="javascript:alert(1)")
    assert bad.status_code == 400 and _errors(bad)[0].startswith("media_url: ")

    assert _post(client, street_app[1], **where, media_url="https://img.street.example/1.jpg").status_code == 201
    [read] = json.loads(client.get(f"{BASE}requests.json").content)
    assert read["media_url"] == "https://img.street.example/1.jpg"


def test_the_jurisdiction_is_checked_when_one_is_set(client, city, settings):
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "anything"}).status_code == 200
    settings.MUNIS_OPEN311_JURISDICTION = "dushanbe.tj"
    assert client.get(f"{BASE}services.json", {"jurisdiction_id": "dushanbe.tj"}).status_code == 200
    assert client.get(f"{BASE}services.json").status_code == 200
    refused = client.get(f"{BASE}services.json", {"jurisdiction_id": "elsewhere.example"})
    assert refused.status_code == 404 and "not elsewhere.example" in _errors(refused)[0]


def test_services_speak_the_language_asked(client, city):
    _ask_depth(city.pothole)
    by_header = json.loads(client.get(f"{BASE}services.json", headers={"Accept-Language": "ru"}).content)
    assert [s["service_name"] for s in by_header] == ["Уличное освещение", "Дороги", "Яма", "Водоснабжение"]
    assert by_header[2]["group"] == "Дороги" and by_header[2]["keywords"] == "яма, выбоина"
    by_locale = client.get(f"{BASE}services/pothole.xml", {"locale": "ru_RU"})
    assert by_locale["Content-Language"] == "ru"
    assert ElementTree.fromstring(by_locale.content).find("attributes/attribute/description").text == (
        "Насколько она глубока?")
    refused = client.post(f"{BASE}requests.json", {"service_code": "water"}, headers={"Accept-Language": "ru"})
    assert refused.status_code == 403 and "api_key" in _errors(refused)[0] and "ключ" in _errors(refused)[0]


def test_a_method_the_call_does_not_take_is_refused_as_an_error_list(client, city):
    response = client.delete(f"{BASE}services.xml")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert ElementTree.fromstring(response.content).find("error/code").text == "405"


# --- searching requests ------------------------------------------------------------------------------------

@pytest.fixture
def filed(city):
    """Three public reports of the last days, one old, one closed; newest first."""
    old = file_report(city, description="Last year's hole")
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    water = file_report(city, category=city.water, description="Dry taps")
    lamp = file_report(city, category=city.lighting, point=SOUTH_POINT, description="Dark street")
    rejected = file_report(city, reporter=None, category=city.water, description="Not ours",
                           contact_email="anon@example.org")
    work(rejected, "moderate", city.dispatcher, decision="reject", reason="A private yard.")
    hole = file_report(city, description="A deep pothole")
    return {"old": old, "water": water, "lamp": lamp, "rejected": rejected, "hole": hole}


def _ids(client, **query):
    response = client.get(f"{BASE}requests.json", query)
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in json.loads(response.content)]


def test_requests_are_searched_by_id_code_status_and_date(client, filed):
    ref = {name: report.reference for name, report in filed.items()}
    # the last 90 days, newest first; a report refused at moderation never was public
    assert _ids(client) == [ref["hole"], ref["lamp"], ref["water"]]
    assert _ids(client, service_code="water,lighting") == [ref["lamp"], ref["water"]]
    assert _ids(client, status="closed") == []
    Report.objects.filter(pk=filed["lamp"].pk).update(status=S.RESOLVED)
    assert _ids(client, status="closed") == [ref["lamp"]]
    assert _ids(client, status="open") == [ref["hole"], ref["water"]]
    assert _ids(client, status="open,closed") == [ref["hole"], ref["lamp"], ref["water"]]
    # ids overrule every other filter, the old report included
    assert _ids(client, service_request_id=f"{ref['old'].lower()}, {ref['water']}", service_code="lighting") == [
        ref["water"], ref["old"]]
    long_ago = timezone.now() - datetime.timedelta(days=210)
    assert _ids(client, start_date=long_ago.isoformat(), end_date=(long_ago + datetime.timedelta(days=30))
                .strftime("%Y-%m-%dT%H:%M:%SZ")) == [ref["old"]]
    assert _ids(client, start_date=long_ago.date().isoformat()) == [ref["old"]]  # 90 days from the start
    assert _ids(client, end_date=(timezone.now() - datetime.timedelta(days=150)).isoformat()) == [ref["old"]]


@pytest.mark.parametrize(("query", "expected"), [
    ({"status": "pending"}, "status: A status is open or closed, not “pending”."),
    ({"start_date": "yesterday"}, "start_date: Give a W3C date and time, such as 2026-03-01T08:15:00+05:00."),
    ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "end_date: start_date and end_date may be at most 90 "
                                                             "days apart."),
    ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "end_date: end_date comes before start_date."),
])
def test_a_wrong_filter_is_refused_with_what_is_wrong(client, city, query, expected):
    response = client.get(f"{BASE}requests.json", query)
    assert response.status_code == 400 and _errors(response) == [expected]


def test_a_request_shows_its_public_note_and_closed_status_and_nobody_learns_who_reported(client, city, street_app):
    _post(client, street_app[1], service_code="water", lat=NORTH_POINT[0], long=NORTH_POINT[1],
          description="Dry taps", email="secret.walker@example.org", first_name="Secret", last_name="Walker",
          phone="+998901112233", account_id="acct-77", device_id="device-42")
    report = Report.objects.get()
    work(report, "accept", city.water_staff, decision="accept")
    work(report, "work", city.water_staff, note="The valve is replaced.")

    answers = [client.get(f"{BASE}{path}") for path in (
        "requests.json", "requests.xml", f"requests/{report.reference}.json", f"requests/{report.reference}.xml",
        f"tokens/{report.token}.json", f"tokens/{report.token}.xml")]
    for answer in answers:
        assert answer.status_code == 200
        for secret in (b"secret.walker", b"Secret", b"Walker", b"998901112233", b"acct-77", b"device-42"):
            assert secret not in answer.content, (secret, answer.content)
    [read] = json.loads(answers[0].content)
    assert read["status"] == "closed" and read["status_notes"] == "The valve is replaced."
    assert read["service_notice"] == "Resolved" and read["agency_responsible"] == "Vodokanal"
    xml = ElementTree.fromstring(answers[1].content)
    assert xml.tag == "service_requests" and xml.find("request/status").text == "closed"
    assert xml.find("request/zipcode").text is None


def test_the_list_of_requests_links_each_photo_at_the_same_cost_for_any_number(client, city,
                                                                              django_assert_num_queries):
    from documents.services import GeneratedFile

    def with_photo():
        return file_report(city, photos=[GeneratedFile.of(PNG, name="hole.png", content_type="image/png")])

    reports = [with_photo() for _n in range(2)] + [file_report(city)]
    with django_assert_num_queries(3):  # the reports; their documents; the documents' versions
        listed = json.loads(client.get(f"{BASE}requests.json").content)
    assert [r["service_request_id"] for r in listed] == [r.reference for r in reversed(reports)]
    assert listed[0]["media_url"] is None
    shown = client.get(listed[1]["media_url"])
    assert listed[1]["media_url"].startswith(f"http://testserver/problems/{reports[1].reference}/photos/")
    assert shown.status_code == 200 and b"".join(shown.streaming_content) == PNG

    for _n in range(4):
        with_photo()
    with django_assert_num_queries(3):
        assert len(json.loads(client.get(f"{BASE}requests.json").content)) == 7


# --- rate limits ------------------------------------------------------------------------------------------

def test_an_apps_posts_are_limited_per_key_then_answered_429(client, city, street_app, settings):
    settings.MUNIS_OPEN311_RATE_PER_CLIENT = "2/m"
    other_key = api_client_register(name="Other app")[1]
    post = {"service_code": "water", "lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "Dry taps"}

    assert [_post(client, street_app[1], **post).status_code for _n in range(2)] == [201, 201]
    limited = _post(client, street_app[1], **post)
    assert limited.status_code == 429
    assert json.loads(limited.content) == [{"code": 429, "description": "Too many requests. Please wait a minute "
                                                                        "and try again."}]
    assert _post(client, other_key, **post).status_code == 201  # the other application has its own allowance
    assert Report.objects.count() == 3


def test_posts_from_one_address_are_limited_whatever_key_they_carry(client, city, street_app, settings):
    settings.MUNIS_OPEN311_RATE_PER_ADDRESS = "1/m"
    other_key = api_client_register(name="Other app")[1]
    post = {"service_code": "water", "lat": NORTH_POINT[0], "long": NORTH_POINT[1], "description": "Dry taps"}
    assert _post(client, street_app[1], **post).status_code == 201
    assert _post(client, other_key, **post).status_code == 429


# --- a photo -------------------------------------------------------------------------------------------------

def test_an_app_posts_a_photo_and_the_request_links_to_it(live_server, city, street_app):
    import requests

    app = _app(live_server, street_app[1])
    [filed] = app.post("pothole", lat=NORTH_POINT[0], long=NORTH_POINT[1], description="A hole",
                       media=("hole.png", io.BytesIO(PNG), "image/png"))
    assert app.post_response.status_code == 201, filed
    [read] = app.request(filed["service_request_id"])
    assert read["media_url"].startswith(f"{live_server.url}/problems/{filed['service_request_id']}/photos/")
    shown = requests.get(read["media_url"], timeout=10)
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/png"

    [refused] = app.post("pothole", lat=NORTH_POINT[0], long=NORTH_POINT[1], description="A hole",
                         media=("hole.png", io.BytesIO(b"%PDF-1.4 not a picture"), "image/png"))
    assert app.post_response.status_code == 400 and refused["description"].startswith("media: ")
