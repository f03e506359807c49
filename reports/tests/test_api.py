"""Every report action through the REST API, as a supplier's and a dispatcher's software would call it."""

import pytest
from rest_framework.test import APIClient

from reports.models import Report

from .conftest import NORTH_POINT
from .helpers import actions, file_report


def client_as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_supplier_accepts_updates_and_resolves_a_report_through_the_api(city):
    report = file_report(city, point=NORTH_POINT)
    api = client_as(city.roads_north_staff)

    listed = api.get("/api/v1/reports/").json()
    assert [r["reference"] for r in listed["results"]] == [report.reference]
    answer = api.post(f"/api/v1/reports/{report.reference}/accept/", {"decision": "accept"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    assert api.post(f"/api/v1/reports/{report.reference}/update/", {"note": "Crew on Tuesday"},
                    format="json").json()["status"] == "in_progress"
    resolved = api.post(f"/api/v1/reports/{report.reference}/resolve/", {"note": "Filled"}, format="json").json()
    assert resolved["status"] == "resolved" and resolved["open_steps"] == ["confirm"]
    done = [action for action in actions(report) if action.startswith("reports.")]
    assert done[-3:] == ["reports.report.accept", "reports.report.update", "reports.report.resolve"]


def test_a_dispatcher_reroutes_and_a_supplier_hands_back_through_the_api(city):
    report = file_report(city, point=NORTH_POINT, category=city.water)
    dispatcher = client_as(city.north_clerk)
    missing = dispatcher.post(f"/api/v1/reports/{report.reference}/reroute/", {"organisation": "roads-north"},
                              format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    moved = dispatcher.post(f"/api/v1/reports/{report.reference}/reroute/",
                            {"organisation": "roads-north", "reason": "It is a road drain"}, format="json")
    assert moved.status_code == 200 and moved.json()["supplier"] == "roads-north"

    refused = client_as(city.roads_north_staff).post(f"/api/v1/reports/{report.reference}/accept/",
                                                     {"decision": "hand_back"}, format="json")
    assert refused.status_code == 400 and "comment" in refused.json()["fields"]
    back = client_as(city.roads_north_staff).post(f"/api/v1/reports/{report.reference}/accept/",
                                                  {"decision": "hand_back", "comment": "Not a road"}, format="json")
    assert back.json()["status"] == "returned"
    routed = dispatcher.post(f"/api/v1/reports/{report.reference}/dispatch/",
                             {"decision": "route", "organisation": "vodokanal"}, format="json")
    assert routed.json()["supplier"] == "vodokanal" and routed.json()["status"] == "routed"


def test_a_moderator_admits_an_anonymous_report_through_the_api(city):
    report = file_report(city, reporter=None, contact_email="anon@example.org")
    answer = client_as(city.dispatcher).post(f"/api/v1/reports/{report.reference}/moderate/",
                                             {"decision": "admit", "category": "water"}, format="json")
    assert answer.status_code == 200 and answer.json()["supplier"] == "vodokanal"


@pytest.mark.parametrize("who", ["roads_south_staff", "water_staff", "south_clerk"])
def test_another_supplier_or_district_cannot_read_or_act_on_a_report(city, who):
    report = file_report(city, point=NORTH_POINT)
    api = client_as(getattr(city, who))
    assert api.get(f"/api/v1/reports/{report.reference}/").status_code == 404
    assert api.post(f"/api/v1/reports/{report.reference}/accept/", {"decision": "accept"},
                    format="json").status_code == 404
    assert report.reference not in str(api.get("/api/v1/reports/").json())
    report.refresh_from_db()
    assert report.status == Report.Status.ROUTED


def test_citizens_are_refused_the_staff_api(city):
    file_report(city)
    assert client_as(city.resident).get("/api/v1/reports/").status_code == 403
    assert APIClient().get("/api/v1/reports/").status_code == 403


def test_the_reports_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/reports/{reference}/accept/", "/api/v1/reports/{reference}/reroute/",
                 "/api/v1/reports/{reference}/resolve/", "/api/v1/reports/{reference}/merge/"):
        assert path in schema
