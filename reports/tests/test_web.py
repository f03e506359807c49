"""The resident's pages of problem reports, through HTTP: reporting a problem signed in or not, what is refused
and that nothing of it is then stored, the photo kept without its metadata, the open reports offered before
filing and "me too", the address search, the public list, map and counts, and that nobody's identity leaks."""

import datetime
import html
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from core.models import AuditEvent
from documents.models import Document, DocumentVersion
from reports import services
from reports.models import Address, Follower, Report

from .conftest import NORTH_POINT, OUTSIDE_POINT, SOUTH_POINT
from .helpers import file_report, work

S = Report.Status
METRE = 1 / 111_195  # of latitude
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg(latitude=38.58, longitude=68.78, *, size=(64, 48), name="pothole.jpg"):
    """A phone's photo: where it was taken in its EXIF GPS tags, and the phone's make."""
    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", dms(latitude)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", dms(longitude)
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def report_data(city, *, point=NORTH_POINT, category=None, **extra):
    data = {"category": (category or city.pothole).pk, "latitude": str(point[0]), "longitude": str(point[1]),
            "address": "Rudaki Avenue 45", "description": "A deep pothole by the bus stop."}
    data.update(extra)
    return data


def page(response):
    return response.content.decode()


def errors_of(response):
    """The error summary's messages, as the page shows them."""
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page(response), re.S)
    return [html.unescape(error) for error in re.findall(r"<li>(?:<a [^>]*>)?([^<]*)", summary.group(0))] \
        if summary else []


def nothing_stored():
    return not Report.objects.exists() and not Document.objects.exists() and not DocumentVersion.objects.exists()


# --- filing ------------------------------------------------------------------------------------------------------

def test_a_signed_in_resident_reports_a_pothole_and_it_is_public_at_once(client, city):
    client.force_login(city.resident)
    form = page(client.get(reverse("reports:new")))
    assert "Pothole" in form and "Street lighting" in form and 'data-point-picker' in form
    assert f"We will send the report’s news to {city.resident.email}" in form
    assert 'name="email"' not in form  # the account says who it is

    response = client.post(reverse("reports:new"), report_data(city))

    assert response.status_code == 302 and response["Location"] == reverse("reports:filed")
    report = Report.objects.get()
    assert report.reporter == city.resident and report.channel == Report.Channel.WEB and report.is_public
    assert report.category == city.pothole and report.district == city.north and report.supplier == city.roads_north
    assert report.address == "Rudaki Avenue 45"
    done = page(client.get(reverse("reports:filed")))
    assert report.reference in done and "Your report has been sent to Roads North." in done
    assert "They have 3 working days to fix it" in done
    assert reverse("reports:report", args=[report.reference]) in done
    assert client.get(reverse("reports:report", args=[report.reference])).status_code == 200


def test_an_anonymous_report_is_checked_by_a_moderator_first_and_not_public_yet(client, city):
    form = page(client.get(reverse("reports:new")))
    assert "a moderator checks your report before it is sent on" in form and "never shown in public" in form

    response = client.post(reverse("reports:new"), report_data(city, email="Anon@Example.org", phone="+992 900 1234"))

    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None and not report.is_public and report.status == S.MODERATION
    assert report.contact_email == "Anon@Example.org" and report.contact_phone == "+992 900 1234"
    done = page(client.get(reverse("reports:filed")))
    assert report.reference in done and "A moderator checks reports made without an account." in done
    assert "We will write to anon@example.org" in done
    answer = reverse("reports:answer", args=[report.reference, report.access_key])
    assert answer in done  # the reporter's own page, the only one that shows it before moderation
    assert client.get(reverse("reports:report", args=[report.reference])).status_code == 404
    assert report.reference not in page(client.get(reverse("reports:list")))
    assert "A moderator is checking your report." in page(client.get(answer))


def test_the_same_form_sent_twice_files_one_report(client, city):
    client.force_login(city.resident)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page(client.get(reverse("reports:new")))).group(1)
    first = client.post(reverse("reports:new"), report_data(city, idempotency_key=key))
    again = client.post(reverse("reports:new"), report_data(city, idempotency_key=key))
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert Report.objects.count() == 1


def test_the_form_is_refused_without_its_csrf_token_and_after_twenty_posts_a_minute(city):
    from django.test import Client

    careful = Client(enforce_csrf_checks=True)
    assert careful.post(reverse("reports:new"), report_data(city, email="a@example.org")).status_code == 403
    hasty = Client()
    statuses = [hasty.post(reverse("reports:new"), {"description": ""}).status_code for _ in range(21)]
    assert statuses == [400] * 20 + [429]
    assert not Report.objects.exists()


def test_the_page_that_says_what_was_filed_is_only_the_filers(client, city):
    file_report(city)
    response = client.get(reverse("reports:filed"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:new")


def test_a_place_outside_the_city_is_an_error_on_the_location_and_nothing_is_stored(client, city):
    client.force_login(city.resident)
    response = client.post(reverse("reports:new"), report_data(city, point=OUTSIDE_POINT))

    assert response.status_code == 400
    message = "This place is outside the city. Reports can only be made about places within it."
    assert errors_of(response) == [message]
    assert '<a href="#id_latitude">' in page(response)  # the summary leads to the place's field
    assert re.search(r'id="id_latitude-error"[^>]*>.*?' + re.escape(message), page(response), re.S)
    assert page(response).count("<title>Error:") == 1
    assert nothing_stored()


def test_no_place_at_all_is_asked_for(client, city):
    response = client.post(reverse("reports:new"), {**report_data(city), "latitude": "", "longitude": "",
                                                    "address": ""})
    assert response.status_code == 400
    assert errors_of(response) == ["Say where the problem is: put the pin on the map, use your location, or type "
                                   "the address below."]


def test_a_listed_address_typed_without_the_map_gives_the_place(client, city):
    Address.objects.create(label="Rudaki Avenue, 45", latitude=38.575, longitude=68.79)
    client.force_login(city.resident)
    response = client.post(reverse("reports:new"), {**report_data(city), "latitude": "", "longitude": "",
                                                    "address": "  rudaki avenue,   45 "})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.latitude, report.longitude, report.district) == (38.575, 68.79, city.north)


def test_a_ten_thousand_character_description_is_refused(client, city):
    client.force_login(city.resident)
    response = client.post(reverse("reports:new"), report_data(city, description="x" * 10_000))
    assert response.status_code == 400
    assert errors_of(response) == ["The description is 10000 characters long; the limit is 2000."]
    assert "Up to 2,000 characters" in page(response)  # the hint said so
    assert nothing_stored()


def test_every_problem_is_shown_at_once(client, city):
    response = client.post(reverse("reports:new"), {"latitude": "91", "longitude": "", "description": " "})
    assert response.status_code == 400
    assert errors_of(response) == ["Choose what kind of problem it is.",
                                   "Ensure this value is less than or equal to 90.",
                                   "Describe the problem."]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("letter.pdf", TINY_PDF, "“letter.pdf” is not a photo. Attach a JPEG, PNG or WebP picture."),
    ("pothole.jpg", TINY_PDF, "The name “pothole.jpg” does not match its content (application/pdf)."),
    ("pothole.jpg", b"Just some words, not a picture at all.\n" * 10,
     "“pothole.jpg” is not a photo. Attach a JPEG, PNG or WebP picture."),
])
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_half_stored(client, city, name, content, message):
    client.force_login(city.resident)
    fake = SimpleUploadedFile(name, content, content_type="image/jpeg")
    response = client.post(reverse("reports:new"), report_data(city, photos=[jpeg(), fake]))
    assert response.status_code == 400
    [error] = errors_of(response)
    assert error == message
    assert nothing_stored()


def test_a_photo_over_the_size_limit_is_refused(client, city, settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 4000
    big = jpeg(size=(400, 300))
    assert big.size > 4000
    response = client.post(reverse("reports:new"), report_data(city, email="a@example.org", photos=[big]))
    assert response.status_code == 400
    [error] = errors_of(response)
    assert "is too large" in error
    assert nothing_stored()


def test_four_photos_are_one_too_many(client, city):
    client.force_login(city.resident)
    response = client.post(reverse("reports:new"),
                           report_data(city, photos=[jpeg(name=f"{n}.jpg") for n in range(4)]))
    assert response.status_code == 400 and errors_of(response) == ["Attach 3 photos at most."]


def test_the_photo_is_kept_without_its_metadata(client, city):
    client.force_login(city.resident)
    photo = jpeg(38.5801, 68.7802)
    assert b"PhoneMaker" in photo.read() and photo.seek(0) == 0
    client.post(reverse("reports:new"), report_data(city, photos=[photo]))
    report = Report.objects.get()

    public = page(client.get(reverse("reports:report", args=[report.reference])))
    [src] = re.findall(r'<img src="([^"]+)" alt="Photo 1"', public)
    client.logout()
    stored = b"".join(client.get(src).streaming_content)
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG" and image.size == (64, 48)
    assert dict(image.getexif()) == {} and b"PhoneMaker" not in stored and b"Exif" not in stored


def test_a_signed_in_resident_keeps_the_photo_chosen_when_the_form_had_a_problem(client, city):
    client.force_login(city.resident)
    response = client.post(reverse("reports:new"), report_data(city, description="", photos=[jpeg()]))
    assert response.status_code == 400
    kept = re.findall(r'name="keep_photos" id="[^"]+" value="([^"]+)" checked', page(response))
    assert len(kept) == 1 and "pothole.jpg" in page(response)

    response = client.post(reverse("reports:new"), report_data(city, keep_photos=kept))
    assert response.status_code == 302
    report = Report.objects.get()
    assert services.report_photo_codes(report) == ["photo-1"]
    response = client.post(reverse("reports:new"), report_data(city, point=SOUTH_POINT, keep_photos=kept))
    assert response.status_code == 400  # a kept photo is stored once: its upload ended with the first report
    assert errors_of(response) == ["A photo you attached before was not found. Please choose it again."]


def test_someone_not_signed_in_is_told_which_photos_to_choose_again(client, city):
    response = client.post(reverse("reports:new"), report_data(city, description="", photos=[jpeg()]))
    assert response.status_code == 400
    assert "Choose your photo again: pothole.jpg. It could not be kept while the form had a problem." in page(response)


# --- the open reports near the place, and "me too" ---------------------------------------------------------------

def test_an_open_report_of_the_same_kind_within_250_metres_is_offered_and_me_too_joins_it(client, city):
    nearby = file_report(city, reporter=city.neighbour, point=(NORTH_POINT[0] + 120 * METRE, NORTH_POINT[1]),
                         description="Hole in the asphalt at the stop")
    file_report(city, reporter=city.neighbour, point=(NORTH_POINT[0] + 400 * METRE, NORTH_POINT[1]))  # too far
    file_report(city, reporter=city.neighbour, category=city.water)  # another kind
    client.force_login(city.resident)

    step = client.post(reverse("reports:new"), report_data(city, photos=[jpeg()]))

    assert step.status_code == 200 and "<h1 class=\"govuk-fieldset__heading\">Is it one of these?</h1>" in page(step)
    offered = re.findall(r"This is my problem too: (PR-\d+-\d+)", page(step))
    assert offered == [nearby.reference]
    assert "120 m from your place" in page(step) and "Hole in the asphalt at the stop" in page(step)
    assert Report.objects.count() == 3  # nothing filed yet
    carried = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', page(step)))
    assert carried["description"] == "A deep pothole by the bus stop." and carried["keep_photos"]

    chosen = client.post(reverse("reports:new"), {**report_data(city), "keep_photos": carried["keep_photos"],
                                                  "step": "duplicates", "duplicate-choice": nearby.reference})

    assert chosen.status_code == 302 and Report.objects.count() == 3
    assert nearby.followers.filter(user=city.resident, reason=Follower.Reason.ME_TOO).exists()
    done = page(client.get(reverse("reports:filed")))
    assert "You are following the report" in done and nearby.reference in done


def test_none_of_these_files_the_report_with_its_photo(client, city):
    file_report(city, reporter=city.neighbour, point=(NORTH_POINT[0] + 50 * METRE, NORTH_POINT[1]))
    client.force_login(city.resident)
    step = client.post(reverse("reports:new"), report_data(city, photos=[jpeg()]))
    kept = re.search(r'name="keep_photos" value="([^"]+)"', page(step)).group(1)

    unanswered = client.post(reverse("reports:new"), {**report_data(city), "keep_photos": kept, "step": "duplicates"})
    assert unanswered.status_code == 400
    assert errors_of(unanswered) == ["Choose the report that is your problem, or file yours."]

    filed = client.post(reverse("reports:new"), {**report_data(city), "keep_photos": kept, "step": "duplicates",
                                                 "duplicate-choice": "none"})
    assert filed.status_code == 302
    mine = Report.objects.get(reporter=city.resident)
    assert services.report_photo_codes(mine) == ["photo-1"]


def test_someone_not_signed_in_gives_an_e_mail_address_to_follow_a_nearby_report(client, city):
    nearby = file_report(city, reporter=city.neighbour)
    step = client.post(reverse("reports:new"), report_data(city, photos=[jpeg()]))
    assert 'name="duplicate-email"' in page(step)
    assert "If you send your own report, choose your photo again: pothole.jpg." in page(step)
    assert 'name="photos"' in page(step) and 'name="keep_photos"' not in page(step)

    answer = {**report_data(city), "step": "duplicates", "duplicate-choice": nearby.reference}
    refused = client.post(reverse("reports:new"), answer)
    assert refused.status_code == 400
    assert errors_of(refused) == ["Give an e-mail address to get the report's news."]

    joined = client.post(reverse("reports:new"), {**answer, "duplicate-email": "walker@example.org"})
    assert joined.status_code == 302 and Report.objects.count() == 1
    assert nearby.followers.filter(email="walker@example.org", reason=Follower.Reason.ME_TOO).exists()


def test_me_too_on_an_open_reports_page(client, city):
    report = file_report(city)
    url = reverse("reports:report", args=[report.reference])
    shown = page(client.get(url))
    assert "Do you have this problem too?" in shown and 'name="join-email"' in shown
    assert "1 person follows this report." in shown

    refused = client.post(reverse("reports:join", args=[report.reference]), {"join-email": ""})
    assert refused.status_code == 400
    assert errors_of(refused) == ["Enter your e-mail address to get the report’s news."]

    joined = client.post(reverse("reports:join", args=[report.reference]), {"join-email": "walker@example.org"})
    assert joined.status_code == 302 and joined["Location"] == url
    client.force_login(city.neighbour)
    assert 'name="join-email"' not in page(client.get(url))
    client.post(reverse("reports:join", args=[report.reference]), {})
    assert sorted(report.followers.values_list("reason", flat=True)) == ["me_too", "me_too", "reporter"]
    assert "3 people follow this report." in page(client.get(url))
    assert AuditEvent.objects.filter(action="reports.report.join").count() == 2


def test_a_closed_report_offers_no_me_too(client, city):
    report = file_report(city)
    work(report, "accept", city.roads_north_staff, decision="accept")
    work(report, "work", city.roads_north_staff, note="Filled.")
    services.report_answer(report=report, fixed=True, satisfaction=5, actor=city.resident)
    assert "Do you have this problem too?" not in page(client.get(reverse("reports:report",
                                                                             args=[report.reference])))
    response = client.post(reverse("reports:join", args=[report.reference]), {"join-email": "late@example.org"})
    assert response.status_code == 409


# --- the address search -------------------------------------------------------------------------------------------

def test_the_address_search_finds_every_word_anywhere_starts_first_at_most_ten(client, db):
    for label, lat in [("Rudaki Avenue, 22 / проспект Рудаки, 22", 38.579), ("Rudaki Park / парк Рудаки", 38.577),
                       ("Bokhtar Street, 35 / улица Бохтар, 35", 38.569), ("Park Street, 2", 38.59),
                       ("Ёлочная улица, 3", 38.55)]:
        Address.objects.create(label=label, latitude=lat, longitude=68.78)
    for n in range(12):
        Address.objects.create(label=f"Sino Street, {n + 1}", latitude=38.57, longitude=68.72)

    def search(q):
        return json.loads(client.get(reverse("reports:addresses"), {"q": q}).content)

    assert search("rudaki park") == [{"label": "Rudaki Park / парк Рудаки", "lat": 38.577, "lng": 68.78}]
    assert [place["label"] for place in search("PARK")] == ["Park Street, 2", "Rudaki Park / парк Рудаки"]
    assert [place["label"] for place in search("рудаки")] == ["Rudaki Avenue, 22 / проспект Рудаки, 22",
                                                             "Rudaki Park / парк Рудаки"]
    assert [place["label"] for place in search("елочная")] == ["Ёлочная улица, 3"]
    assert len(search("sino")) == 10
    assert search("r") == [] and search(" ") == [] and search("nowhere at all") == []


def test_import_addresses_loads_a_csv_and_refuses_a_file_with_a_bad_row(tmp_path, db, capsys):
    good = tmp_path / "addresses.csv"
    good.write_text("label,lat,lng\nRudaki Avenue 1,38.57,68.78\n\"Shotemur Street, 10\",38.58,68.788\n",
                    encoding="utf-8")
    call_command("import_addresses", str(good))
    assert capsys.readouterr().out.strip() == "Addresses: 2 added, 0 moved, 0 unchanged."
    good.write_text("Rudaki Avenue 1,38.571,68.78\n", encoding="utf-8")
    call_command("import_addresses", str(good), "--replace")
    assert capsys.readouterr().out.strip() == "Addresses: 0 added, 1 moved, 0 unchanged, 1 removed."
    assert list(Address.objects.values_list("label", "latitude")) == [("Rudaki Avenue 1", 38.571)]

    bad = tmp_path / "bad.csv"
    bad.write_text("Somewhere,38.5,68.7\nNowhere,north,68.7\n,38.5,68.7\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2 bad row"):
        call_command("import_addresses", str(bad))
    assert "line 2: lat and lng must be numbers in degrees" in capsys.readouterr().err
    assert Address.objects.count() == 1


# --- the public list, map and counts -----------------------------------------------------------------------------

@pytest.fixture
def reported(city):
    """Reports in several states, kinds and districts, on several days."""
    def at(report, days_ago):
        Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_ago))
        return report

    pothole = at(file_report(city, point=NORTH_POINT, contact_phone="+992 900 5555"), 1)
    water = at(file_report(city, category=city.water, point=SOUTH_POINT, reporter=city.neighbour), 10)
    work(water, "accept", city.water_staff, decision="accept")
    work(water, "work", city.water_staff, note="Valve replaced.")
    duplicate = at(file_report(city, point=NORTH_POINT, reporter=city.neighbour), 2)
    services.report_merge(duplicate=duplicate, master=pothole, actor=city.north_clerk)
    moderated = file_report(city, reporter=None, contact_email="hidden@example.org")
    return pothole, water, duplicate, moderated


def listed(response):
    return re.findall(r"<span class=\"govuk-visually-hidden\">, (PR-\d+-\d+)</span>", page(response))


def test_the_public_list_filters_by_status_kind_district_and_dates_and_counts(client, reported):
    pothole, water, duplicate, moderated = reported
    everything = client.get(reverse("reports:list"))
    assert listed(everything) == [pothole.reference, duplicate.reference, water.reference]  # newest first
    assert "Reports received: <strong>3</strong>. Different problems: <strong>2</strong>" in page(everything)
    assert 'data-points-url="/problems/map.geojson"' in page(everything)

    def refs(**query):
        response = client.get(reverse("reports:list"), query)
        assert response.status_code == 200
        return listed(response)

    assert refs(status="open") == [pothole.reference]
    assert refs(status="resolved") == [water.reference]
    assert refs(status="merged") == [duplicate.reference]
    assert refs(category="roads") == [pothole.reference, duplicate.reference]  # a kind takes its sub-kinds
    assert refs(category="water") == [water.reference]
    assert refs(district=reported[1].district_id) == [water.reference]
    since = (timezone.localdate() - datetime.timedelta(days=5)).isoformat()
    assert refs(since=since) == [pothole.reference, duplicate.reference]
    assert refs(until=since) == [water.reference]
    filtered = client.get(reverse("reports:list"), {"status": "open", "category": "roads"})
    assert 'data-points-url="/problems/map.geojson?status=open&amp;category=roads"' in page(filtered)
    assert "1 report matches the filters" in page(filtered) and "Clear the filters" in page(filtered)

    empty = client.get(reverse("reports:list"), {"category": "lighting"})
    assert "No reports match these filters." in page(empty)
    backwards = client.get(reverse("reports:list"), {"since": "2026-03-10", "until": "2026-03-01"})
    assert backwards.status_code == 400
    assert errors_of(backwards) == ["The end date must be the same as or after the start date."]


def test_the_list_has_pages_of_twenty(client, city):
    for n in range(23):
        file_report(city, point=(38.57 + n * 0.001, 68.78))
    first = client.get(reverse("reports:list"))
    assert len(listed(first)) == 20 and 'aria-label="Page 2"' in page(first)
    assert len(listed(client.get(reverse("reports:list"), {"page": 2}))) == 3


def test_an_empty_city_says_so(client, city):
    assert "No problems have been reported yet." in page(client.get(reverse("reports:list")))


def test_the_map_shows_the_filtered_reports_in_their_status_colours(client, reported):
    pothole, water, duplicate, moderated = reported
    collection = client.get(reverse("reports:map_data"))
    assert collection["Content-Type"] == "application/geo+json"
    features = json.loads(collection.content)["features"]
    assert [f["properties"]["title"] for f in features] == [f"{pothole.reference} — Pothole",
                                                            f"{duplicate.reference} — Pothole",
                                                            f"{water.reference} — Water supply"]
    first = features[0]
    assert first["geometry"] == {"type": "Point", "coordinates": [NORTH_POINT[1], NORTH_POINT[0]]}
    assert first["properties"] == {"title": f"{pothole.reference} — Pothole",
                                   "url": reverse("reports:report", args=[pothole.reference]),
                                   "status": "Sent to the supplier", "colour": "blue"}
    assert [f["properties"]["colour"] for f in features] == ["blue", "purple", "green"]
    resolved = json.loads(client.get(reverse("reports:map_data"), {"status": "resolved"}).content)["features"]
    assert [f["properties"]["url"] for f in resolved] == [reverse("reports:report", args=[water.reference])]
    one = json.loads(client.get(reverse("reports:map_data"), {"report": water.reference}).content)["features"]
    assert len(one) == 1
    hidden = json.loads(client.get(reverse("reports:map_data"), {"report": moderated.reference}).content)
    assert hidden["features"] == []


def test_the_map_and_list_take_a_fixed_number_of_queries(client, reported, django_assert_num_queries):
    with django_assert_num_queries(1):  # the points with their categories
        client.get(reverse("reports:map_data"))
    with django_assert_num_queries(3):  # and the filters' choices, to check the filters by
        client.get(reverse("reports:map_data"), {"status": "open", "category": "roads"})
    with django_assert_num_queries(5):  # the filters' choices (2), the counts, the page's count and reports
        client.get(reverse("reports:list"))


def test_nothing_public_names_who_reported_a_problem(client, reported, city):
    pothole, water, duplicate, moderated = reported
    secrets = [city.resident.full_name, city.resident.email, city.neighbour.full_name, city.neighbour.email,
               "+992 900 5555", "hidden@example.org", pothole.access_key, water.access_key]
    pages = [reverse("reports:list"), reverse("reports:map_data"), reverse("reports:map_data") + "?status=open",
             reverse("home"), *[reverse("reports:report", args=[r.reference]) for r in (pothole, water, duplicate)],
             reverse("reports:map_data") + f"?report={pothole.reference}"]
    for url in pages:
        shown = page(client.get(url))
        for secret in secrets:
            assert secret not in shown, f"{secret} on {url}"
    for feature in json.loads(client.get(reverse("reports:map_data")).content)["features"]:
        assert set(feature["properties"]) == {"title", "url", "status", "colour"}


def test_the_home_page_invites_to_report_with_the_counts(client, reported):
    home = page(client.get(reverse("home")))
    assert "Something broken in your street?" in home and reverse("reports:new") in home
    assert "Reports received: <strong>3</strong>. Different problems: <strong>2</strong>" in home
    header = re.search(r"<header.*?</header>", home, re.S).group(0)
    assert ">Report a problem<" in header and ">Problems in the city<" in header


# --- the reporter's page, in Russian -----------------------------------------------------------------------------

def test_the_reporters_page_shows_the_photo_before_moderation(client, city):
    client.post(reverse("reports:new"), report_data(city, email="anon@example.org", photos=[jpeg()]))
    report = Report.objects.get()
    answer = page(client.get(reverse("reports:answer", args=[report.reference, report.access_key])))
    [src] = re.findall(r'<img src="([^"]+)" alt="Photo 1"', answer)
    assert src.startswith(reverse("reports:answer", args=[report.reference, report.access_key]))
    assert Image.open(io.BytesIO(b"".join(client.get(src).streaming_content))).format == "JPEG"
    wrong_key = src.replace(report.access_key, "not-the-key")
    assert client.get(wrong_key).status_code == 404


def test_the_pages_are_in_russian(client, reported):
    client.get(reverse("language", args=["ru"]))
    form = page(client.get(reverse("reports:new")))
    assert "Сообщить о проблеме" in form and "Яма" in form and "Где проблема?" in form
    listing = page(client.get(reverse("reports:list")))
    assert "Проблемы в городе" in listing and "Фильтр" in listing
    refused = client.post(reverse("reports:new"), {"description": ""})
    assert "Выберите тип проблемы." in errors_of(refused)
    features = json.loads(client.get(reverse("reports:map_data")).content)["features"]
    assert features[0]["properties"]["title"].endswith("— Яма")
    assert features[0]["properties"]["status"] == "Направлено поставщику"
