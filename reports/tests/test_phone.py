"""Problem reports by phone: the call centre (the dispatch's clerks and supervisors) files a caller's report in
one short form; it goes straight to the supplier the routing matrix names, audited as filed by the operator; the
caller's name and number stay with the staff, and the caller gets the reference by SMS."""

import re

import pytest
from django.urls import reverse

from accounts.models import Role
from core.models import AuditEvent
from reports.models import Report
from tests.factories import member
from workflows.models import OpenTask

from .conftest import NORTH_POINT, OUTSIDE_POINT
from .helpers import work
from .inbound import submitted, texts_to

S = Report.Status
PAGE = "/staff/problems/new/"
CALLER = "+998 93 444 55 66"


def call(city, **changes):
    form = {"category": city.pothole.pk, "address": "Somoni avenue 14, by the bakery", "latitude": NORTH_POINT[0],
            "longitude": NORTH_POINT[1], "description": "A deep pothole in the right lane, cars swerve around it.",
            "caller_name": "Farida Yusupova", "caller_phone": CALLER, "wants_updates": "on", "language": "ru",
            "idempotency_key": "call-0000000000000001"}
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def test_a_dispatch_clerk_files_a_callers_report_in_one_post_and_it_lands_in_the_suppliers_queue(client, city,
                                                                                               gateway):
    client.force_login(city.dispatcher)
    page = client.get(PAGE).content.decode()
    assert re.search(r'<select name="category"[^>]*autofocus', page)  # typing starts in the first field
    assert '<optgroup label="Roads">' in page and ">Pothole</option>" in page  # sub-categories grouped

    response = client.post(PAGE, call(city))

    report = Report.objects.get()
    assert response.status_code == 302 and response.url == f"{PAGE}?filed={report.reference}"
    assert report.channel == Report.Channel.PHONE and report.reporter is None
    assert report.category == city.pothole and report.district == city.north and report.address.startswith("Somoni")
    assert report.status == S.ROUTED and report.is_public  # staff filed it: no moderation
    assert report.supplier == city.roads_north
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.roads_north.pk
    assert report.contact_name == "Farida Yusupova" and report.contact_phone == CALLER
    event = submitted(report)
    assert event.after["channel"] == "phone" and event.actor_id == city.dispatcher.pk

    done = client.get(response.url).content.decode()
    assert "Report filed" in done and report.reference in done
    assert f'<a class="govuk-link" href="{PAGE}" autofocus>File another report</a>' in done

    # the caller follows it by SMS, in their language, starting with its reference
    [text] = texts_to(CALLER)
    assert f"Ваше сообщение {report.reference} получено" in text
    assert report.followers.get().phone == CALLER and report.followers.get().language == "ru"
    work(report, "accept", city.roads_north_staff, decision="accept")
    assert len(texts_to(CALLER)) == 2  # the supplier accepted it: the caller hears

    # the caller is private: on the staff's page, never on the public one
    public = client.get(reverse("reports:report", args=[report.reference])).content.decode()
    assert CALLER not in public and "Farida" not in public
    staff = client.get(reverse("reports:staff_report", args=[report.reference])).content.decode()
    assert CALLER in staff and "Farida Yusupova" in staff


def test_a_caller_who_wants_no_updates_gets_the_reference_only(client, city, gateway):
    client.force_login(city.dispatcher)
    client.post(PAGE, call(city, wants_updates=None, language="en"))

    report = Report.objects.get()
    assert not report.followers.exists()
    [text] = texts_to(CALLER)
    assert text.startswith(f"Thank you. Your report {report.reference} is received.")
    work(report, "accept", city.roads_north_staff, decision="accept")
    assert len(texts_to(CALLER)) == 1


def test_an_address_alone_is_enough_and_the_matrix_places_the_report(client, city, gateway):
    supervisor = member(city.dispatch, Role.SUPERVISOR, full_name="Shahlo Supervisor")
    client.force_login(supervisor)
    client.post(PAGE, call(city, category=city.water.pk, latitude=None, longitude=None, caller_phone="",
                           caller_name="", wants_updates=None))

    report = Report.objects.get()
    assert report.supplier == city.water_co and report.district is None and report.status == S.ROUTED
    assert submitted(report).after["channel"] == "phone" and not texts_to(CALLER)


def test_the_same_form_sent_twice_files_one_report(client, city, gateway):
    client.force_login(city.dispatcher)
    first = client.post(PAGE, call(city))
    again = client.post(PAGE, call(city))
    assert Report.objects.count() == 1 and again.url == first.url


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"category": ""}, "category", "Choose the kind of problem."),
    ({"description": ""}, "description", "Describe the problem."),
    ({"address": "", "latitude": None, "longitude": None}, "address", "Say where the problem is"),
    ({"longitude": None}, "longitude", "Enter both the latitude and the longitude, or neither."),
    ({"latitude": OUTSIDE_POINT[0], "longitude": OUTSIDE_POINT[1]}, "latitude", "outside the city"),
    ({"caller_phone": "call me maybe"}, "caller_phone", "Enter a phone number"),
    ({"caller_phone": ""}, "caller_phone", "phone number to send them the report"),
])
def test_a_form_with_a_mistake_says_where_and_files_nothing(client, city, changes, field, message):
    client.force_login(city.dispatcher)
    response = client.post(PAGE, call(city, **changes))

    assert response.status_code == 400 and not Report.objects.exists()
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert f'id="id_{field}-error"' in page


@pytest.mark.parametrize("who", ["north_clerk", "north_head", "water_staff", "auditor", "resident"])
def test_staff_outside_the_dispatch_are_refused(client, city, who):
    client.force_login(getattr(city, who))
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, call(city)).status_code == 403
    assert not Report.objects.exists()
    assert not AuditEvent.objects.filter(action="reports.report.submit").exists()


def test_the_anonymous_are_sent_to_sign_in(client, city):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_the_dispatch_finds_the_screen_in_the_staff_header_and_no_one_else_does(client, city):
    client.force_login(city.dispatcher)
    assert f'href="{PAGE}"' in client.get(reverse("workflows:inbox")).content.decode()
    client.force_login(city.north_clerk)
    assert f'href="{PAGE}"' not in client.get(reverse("workflows:inbox")).content.decode()
