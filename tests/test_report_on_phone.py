"""A pothole reported from a phone (390 × 844, touch, Debian's chromium): a resident signs in, taps the map and
attaches a photo from their phone (its location in its EXIF), sends the report and finds it on the public map and
list; a neighbour without an account, reporting the same pothole, is offered it first and follows it; the
supplier accepts and resolves it (through the services: their pages have their own tests); the resident confirms
it fixed on their report's page, reached from the e-mail. Every page fits the phone's width and axe-core finds
nothing serious on it, in English and in Russian. There is no internet: the map's tiles never arrive, and the
pages work without them."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import ExifTags, Image
from playwright.sync_api import expect

from core.models import OutboxMessage
from reports.addresses import addresses_import
from reports.demo import ADDRESSES, ensure_catalog
from reports.models import Follower, Report
from reports.tests.helpers import work

from .factories import PASSWORD, UserFactory
from .test_accessibility import violations
from .test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401  (shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
TILES = "https://tile.openstreetmap.org/"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "report_on_phone"
# where the photo was taken: Rudaki Avenue, in Ismoili Somoni district
TAKEN_AT = (38.5790, 68.7850)


def photo_with_gps(latitude, longitude):
    """A phone's JPEG: where it was taken in its EXIF GPS tags, in degrees, minutes and seconds."""
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
    Image.effect_noise((1200, 900), 40).convert("RGB").save(out, "JPEG", exif=exif, quality=80)
    return out.getvalue()


class Phone:
    """A phone's browser session: each page it shows is photographed, measured for sideways scrolling and checked
    with axe-core; what is wrong is collected and reported at the end."""

    def __init__(self, browser, live_server, problems, *, language="en", name="resident"):  # noqa: F811
        self.context = browser.new_context(base_url=live_server.url, locale="en-US", bypass_csp=True, **PHONE)
        self.context.set_default_timeout(15_000)
        self.context.route(f"{TILES}**", lambda route: route.abort("internetdisconnected"))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: problems.append(f"{name}: script error {error}"))
        self.problems, self.name, self.seen = problems, name, 0
        if language != "en":
            self.page.goto(f"{reverse('language', args=[language])}?next=/")

    def sign_in(self, user):
        self.page.goto(reverse("accounts:login"))
        self.page.locator("input[name=username]").fill(user.email)
        self.page.locator("input[type=password]").fill(PASSWORD)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_selector("header .who")

    def look(self, label):
        """Check the page as it stands: it fits the screen, axe finds nothing serious; photograph it."""
        page = self.page
        page.wait_for_load_state("load")
        self.seen += 1
        page.screenshot(path=str(SCREENSHOTS / f"{self.name}-{self.seen:02d}-{label}.png"), full_page=True)
        wide = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if wide[0] > wide[1]:
            self.problems.append(f"{self.name} {label}: {wide[0]} px wide on a {wide[1]} px screen ({page.url})")
        self.problems.extend(f"{self.name} {label}: {found}" for found in violations(page))


@pytest.fixture
def dushanbe(db):
    """The demo city's categories, districts, suppliers (each with a staff account) and address list."""
    ensure_catalog()
    addresses_import(rows=ADDRESSES)


def test_a_pothole_reported_from_a_phone_is_followed_fixed_and_confirmed(live_server, browser, dushanbe):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    problems = []
    resident = UserFactory(full_name="Rano Resident", email="rano@example.org")
    phone = Phone(browser, live_server, problems)
    page = phone.page
    phone.sign_in(resident)

    # From the home page's invitation to the form.
    page.goto(reverse("home"))
    page.locator("#home-reports-heading").scroll_into_view_if_needed()
    phone.look("home")
    page.get_by_role("button", name="Report a problem").click()
    expect(page.get_by_role("heading", name="Report a problem", level=1)).to_be_visible()
    picker = page.locator("[data-point-picker]")
    expect(picker).to_have_attribute("data-state", "ready")
    phone.look("form")

    # Sent empty: every problem is listed at the top, each leading to its field.
    page.get_by_role("button", name="Send the report").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose what kind of problem it is.")
    expect(summary).to_contain_text("Describe the problem.")
    phone.look("form-errors")

    page.get_by_role("radio", name="Roads: Pothole").check()
    # The photo from the phone: the map offers the place it was taken.
    page.get_by_label("Photos (optional)").set_input_files(files=[{
        "name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps(*TAKEN_AT)}])
    expect(picker.get_by_role("status")).to_contain_text("The photo “pothole.jpg” was taken at 38.579000, 68.785000")
    # A tap on the map puts the pin there, inside the city drawn on it.
    the_map = page.get_by_role("application", name="Map for choosing where the problem is")
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()
    the_map.tap(position={"x": box["width"] * 0.55, "y": box["height"] * 0.5})
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    tapped = float(page.get_by_label("Latitude").input_value()), float(page.get_by_label("Longitude").input_value())
    assert 38.50 < tapped[0] < 38.62 and 68.70 < tapped[1] < 68.86, tapped
    # ... and the photo's place is closer: that is where the pin goes.
    page.get_by_role("button", name="Use the photo’s location").click()
    expect(page.get_by_label("Latitude")).to_have_value("38.579000")
    page.get_by_label("Address or landmark (optional)").fill("Rudaki Avenue, by the bus stop")
    page.get_by_label("Describe the problem").fill("A deep pothole in the right lane, cars swerve around it.")
    phone.look("form-filled")
    page.get_by_role("button", name="Send the report").click()

    expect(page.get_by_role("heading", name="Report sent")).to_be_visible()
    report = Report.objects.get()
    expect(page.locator(".govuk-panel")).to_contain_text(report.reference)
    assert report.reporter == resident and report.is_public and (report.latitude, report.longitude) == TAKEN_AT
    expect(page.locator("main")).to_contain_text(f"Your report has been sent to {report.supplier}.")
    phone.look("sent")

    # On the public list and map.
    page.get_by_role("link", name="See the problems reported in the city").click()
    points = page.locator("[data-points-map]")
    expect(points).to_have_attribute("data-state", "ready")
    expect(points.locator(".munis-map-marker")).to_have_count(1)
    expect(page.locator(".munis-report-list")).to_contain_text("Roads: Pothole")
    phone.look("list")
    page.get_by_role("link", name=re.compile(rf"Roads: Pothole\W+{report.reference}")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(report.reference)
    photo = page.get_by_role("img", name="Photo 1")
    photo.scroll_into_view_if_needed()  # it loads lazily
    expect(photo).to_have_js_property("naturalWidth", 1200)  # the stored photo, its pixels kept
    assert photo.bounding_box()["width"] <= 390 - 2 * 15 + 2  # within the page's margins
    expect(page.locator("#report-map[role=region]")).to_be_visible()
    phone.look("report")

    # A neighbour without an account reports the same pothole: it is offered first, and they follow it.
    neighbour = Phone(browser, live_server, problems, name="neighbour")
    other = neighbour.page
    other.goto(reverse("reports:new"))
    other.get_by_role("radio", name="Roads: Pothole").check()
    other.get_by_label("Latitude").fill("38.5791")
    other.get_by_label("Longitude").fill("68.7851")
    other.get_by_label("Describe the problem").fill("Big hole on Rudaki Avenue.")
    other.get_by_role("button", name="Send the report").click()
    expect(other.get_by_role("heading", name="Is it one of these?")).to_be_visible()
    neighbour.look("is-it-one-of-these")
    other.get_by_role("radio", name=f"This is my problem too: {report.reference}").check()
    other.get_by_label("Your e-mail address, to get its news (optional)").fill("walker@example.org")
    other.get_by_role("button", name="Continue").click()
    expect(other.get_by_role("heading", name="You are following the report")).to_be_visible()
    neighbour.look("following")
    assert Report.objects.count() == 1
    assert report.followers.filter(email="walker@example.org", reason=Follower.Reason.ME_TOO).exists()

    # The supplier accepts it and fixes it.
    supplier_staff = report.supplier.memberships.select_related("user").first().user
    work(report, "accept", supplier_staff, decision="accept")
    work(report, "work", supplier_staff, note="The hole was filled with hot asphalt.")

    # The resident opens their report's page from the e-mail that says so, and confirms it fixed.
    resolved = OutboxMessage.objects.filter(address=resident.email, subject__contains="resolved").get()
    link = re.search(r"/problems/[^/\s]+/answer/[^/\s]+/", resolved.body).group(0)
    page.goto(link)
    expect(page.locator("main")).to_contain_text("The hole was filled with hot asphalt.")
    expect(page.get_by_role("img", name="Photo 1")).to_be_visible()
    phone.look("answer")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("radio", name="Very satisfied", exact=True).check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Thank you. The report is closed.")
    phone.look("confirmed")
    report.refresh_from_db()
    assert report.status == Report.Status.CLOSED and report.fixed is True and report.satisfaction == 5
    page.goto(reverse("reports:report", args=[report.reference]))
    expect(page.locator("main")).not_to_contain_text("Do you have this problem too?")

    # The same pages in Russian.
    russian = Phone(browser, live_server, problems, language="ru", name="russian")
    for url, label in ((reverse("reports:new"), "form"), (reverse("reports:list"), "list"),
                       (reverse("reports:report", args=[report.reference]), "report"), (reverse("home"), "home")):
        russian.page.goto(url)
        assert russian.page.locator("html").get_attribute("lang") == "ru"
        russian.look(label)
    russian.page.goto(reverse("reports:new"))
    russian.page.get_by_role("button", name="Отправить сообщение").click()
    expect(russian.page.locator(".govuk-error-summary")).to_contain_text("Выберите тип проблемы.")
    russian.look("form-errors")

    assert not problems, "\n".join(problems)
