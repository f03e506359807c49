"""Following an area, the staff's list and map, and the public's figures per supplier."""

import re

from core.models import AuditEvent, OutboxMessage
from reports.models import AreaSubscription

from .conftest import NORTH_POINT, SOUTH_POINT
from .helpers import file_report, work


def test_a_resident_follows_an_area_after_confirming_and_hears_of_new_and_resolved_reports(city, client):
    answer = client.post("/problems/follow/", {"email": "Lola@Example.org", "latitude": "38.58",
                                               "longitude": "68.78", "radius_m": "500"})
    assert answer.status_code == 200 and "Check your e-mail" in answer.content.decode()
    subscription = AreaSubscription.objects.get()
    assert subscription.confirmed_at is None
    [confirm] = OutboxMessage.objects.filter(address="lola@example.org")
    file_report(city, point=NORTH_POINT)  # not confirmed yet: nothing
    assert OutboxMessage.objects.filter(address="lola@example.org").count() == 1

    assert f"/problems/follow/{subscription.token}/confirm/" in confirm.body
    assert client.get(f"/problems/follow/{subscription.token}/confirm/").status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    near = file_report(city, point=(38.582, 68.78))  # about 220 m away
    file_report(city, point=SOUTH_POINT)  # 4 km away
    mails = list(OutboxMessage.objects.filter(address="lola@example.org").order_by("pk"))[1:]
    assert [near.reference in m.subject for m in mails] == [True]
    assert city.resident.email not in mails[0].body and "Rano" not in mails[0].body  # never who reported it

    work(near, "accept", city.roads_north_staff, decision="accept")
    work(near, "work", city.roads_north_staff, note="Filled with asphalt.")
    resolved = OutboxMessage.objects.filter(address="lola@example.org").order_by("pk").last()
    assert near.reference in resolved.subject and "Filled with asphalt." in resolved.body

    stop = client.post(f"/problems/follow/{subscription.token}/stop/")
    assert stop.status_code == 302 and not AreaSubscription.objects.exists()
    assert AuditEvent.objects.filter(action="reports.area.stop").exists()


def test_following_needs_a_place_inside_the_city(city, client):
    nowhere = client.post("/problems/follow/", {"email": "a@example.org", "radius_m": "500"})
    outside = client.post("/problems/follow/", {"email": "a@example.org", "latitude": "38.70", "longitude": "68.78",
                                                "radius_m": "500"})
    assert nowhere.status_code == outside.status_code == 400
    assert "outside the city" in outside.content.decode() and not AreaSubscription.objects.exists()


def test_a_supplier_lists_and_maps_only_its_own_reports(city, client):
    mine = file_report(city, point=NORTH_POINT)
    theirs = file_report(city, point=SOUTH_POINT)
    client.force_login(city.roads_north_staff)
    page = client.get("/staff/problems/").content.decode()
    assert mine.reference in page and theirs.reference not in page
    points = client.get("/staff/problems/map.geojson").json()["features"]
    assert [p["properties"]["title"].split(" ")[0] for p in points] == [mine.reference]
    client.force_login(city.resident)
    assert client.get("/staff/problems/").status_code == 403


def test_the_public_sees_each_suppliers_figures(city, client):
    report = file_report(city, point=NORTH_POINT)
    work(report, "accept", city.roads_north_staff, decision="accept")
    work(report, "work", city.roads_north_staff, note="Done.")
    from reports import services

    services.report_answer(report=report, fixed=True, satisfaction=4, actor=city.resident)
    file_report(city, point=NORTH_POINT, category=city.water)
    page = client.get("/problems/suppliers/").content.decode()
    assert "Roads North" in page and "Vodokanal" in page and "4.0" in page


def test_the_moderator_sees_the_photo_of_a_report_not_public_yet_and_the_public_does_not(city, client):
    from reports import services
    from reports.photos import checked_photo

    from .test_web import jpeg

    report = services.report_submit(channel="web", description="Rubbish dumped", category=city.water,
                                    latitude=NORTH_POINT[0], longitude=NORTH_POINT[1],
                                    contact_email="anon@example.org", photos=[checked_photo(jpeg(), field="photo")])
    assert not report.is_public
    client.force_login(city.dispatcher)
    page = client.get(f"/staff/problems/{report.reference}/").content.decode()
    [src] = re.findall(r'<img src="([^"]+)"', page)
    photo = client.get(src)
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    client.logout()
    version = src.rstrip("/").split("/")[-1]
    assert client.get(f"/problems/{report.reference}/photos/{version}/").status_code == 404
