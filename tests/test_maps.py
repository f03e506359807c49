"""The maps in a real browser (Debian's chromium): a resident puts the pin for a problem by clicking the map,
by searching an address, with the keyboard, from their location or from their photo, or, without JavaScript,
by typing the coordinates; a map of reported problems links each marker to its page.

The pages are the test's own (tests/map_urls.py). There is no internet here: the tile server's requests are
cut off on purpose, and the maps must work without their tiles."""

import io
import re

import pytest
from django.urls import reverse
from PIL import ExifTags, Image
from playwright.sync_api import expect

from .test_accessibility import violations
from .test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401  (shared fixtures)
from .test_diagram import SCREENSHOT_DIR

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.map_urls"), pytest.mark.django_db(transaction=True)]

TILES = "https://tile.openstreetmap.org/"


def picker_page(browser, live_server, **options):  # noqa: F811
    """The report page in a fresh browser: its tiles' requests fail, as they do without internet, and every
    other failure, script error and Content-Security-Policy violation is written down in ``page.problems``."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", **options)
    context.set_default_timeout(10_000)
    referers = []

    def no_internet(route):
        referers.append(route.request.headers.get("referer"))
        route.abort("internetdisconnected")
    context.route(f"{TILES}**", no_internet)
    context.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    page.problems, page.tiles, page.tile_referers = [], [], referers
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    page.on("console", lambda msg: page.problems.append(f"console: {msg.text}") if msg.type == "error"
            and not msg.text.startswith("Failed to load resource") else None)
    page.on("requestfailed", lambda request: page.tiles.append(request.url) if request.url.startswith(TILES)
            else page.problems.append(f"request failed: {request.url}"))
    return page


def no_problems(page):
    assert page.evaluate("window.cspViolations") == []
    assert page.problems == []


def coordinates(page):
    return (float(page.get_by_label("Latitude").input_value()), float(page.get_by_label("Longitude").input_value()))


def jpeg_taken_at(latitude, longitude):
    """A phone's JPEG: where it was taken in its EXIF GPS tags, in degrees, minutes and seconds."""
    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return float(degrees), float(minutes), round((value - degrees - minutes / 60) * 3600, 2)
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", dms(latitude)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", dms(longitude)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 90, 90)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_resident_puts_the_pin_by_clicking_the_map_or_searching_an_address(live_server, browser):  # noqa: F811
    page = picker_page(browser, live_server)
    page.goto(reverse("map-test-report"))
    picker = page.locator("[data-point-picker]")
    expect(picker).to_have_attribute("data-state", "ready")
    the_map = page.get_by_role("application", name="Map for choosing the place")
    expect(the_map).to_be_visible()
    expect(page.get_by_label("Latitude")).to_have_value("")

    # A click on the map puts the pin there and fills in the coordinates, inside the city drawn on the map.
    box = the_map.bounding_box()
    the_map.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.6})
    expect(page.get_by_role("img", name="Pin: the place you chose")).to_be_visible()
    first = coordinates(page)
    assert 38.50 < first[0] < 38.63 and 68.70 < first[1] < 68.88, first
    expect(picker.get_by_role("status")).to_have_text(
        f"The pin is at {first[0]:.6f}, {first[1]:.6f}.")
    # Up and to the left is north and west.
    the_map.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.3})
    expect(page.get_by_label("Latitude")).not_to_have_value(f"{first[0]:.6f}")
    second = coordinates(page)
    assert second[0] > first[0] and second[1] < first[1]
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)  # the pin moved; there is one

    # The address search: Enter searches (it does not send the form), the places found are buttons.
    search = page.get_by_label("Search for an address or a place")
    search.fill("nowhere")
    search.press("Enter")
    expect(picker.get_by_role("status")).to_have_text(
        "No places found for “nowhere”. Try other words, or put the pin on the map.")
    search.fill("station")
    search.press("Enter")
    results = page.get_by_role("list", name="Places found")
    expect(results.get_by_role("button")).to_have_count(1)
    expect(picker.get_by_role("status")).to_have_text("Places found: 1. Choose one to put the pin there.")
    assert page.url.endswith(reverse("map-test-report"))
    page.keyboard.press("Tab")  # from the search box to its button, then to the place found
    page.keyboard.press("Tab")
    expect(results.get_by_role("button", name="Dushanbe railway station")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Latitude")).to_have_value("38.543100")
    expect(page.get_by_label("Longitude")).to_have_value("68.777000")
    expect(picker.get_by_role("status")).to_have_text("The pin is at Dushanbe railway station.")

    # Sent, the form has the place.
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#received")).to_have_text("Received: 38.5431, 68.777")
    # Back on the page with the place chosen, the map opens on the pin.
    expect(page.get_by_label("Latitude")).to_have_value("38.543100")
    expect(page.get_by_role("img", name="Pin: the place you chose")).to_be_visible()

    assert page.tiles and all(re.match(rf"{TILES}\d+/\d+/\d+\.png$", url) for url in page.tiles)
    # The tile server learns which site asks (OpenStreetMap's refuses tiles to none), not which page.
    assert set(page.tile_referers) == {f"{live_server.url}/"}
    no_problems(page)
    if SCREENSHOT_DIR.is_dir():
        page.screenshot(path=str(SCREENSHOT_DIR / "test_maps_point_picker.png"), full_page=True)


def test_with_the_keyboard_the_pin_goes_to_the_centre_and_the_map_lets_the_focus_go(live_server, browser):  # noqa: F811
    page = picker_page(browser, live_server)
    page.goto(reverse("map-test-report"))
    expect(page.locator("[data-point-picker]")).to_have_attribute("data-state", "ready")
    the_map = page.get_by_role("application", name="Map for choosing the place")
    the_map.focus()
    page.keyboard.press("Enter")
    centre = coordinates(page)
    assert abs(centre[0] - 38.565) < 0.01 and abs(centre[1] - 68.79) < 0.01, centre  # the city's outline's middle
    pane = "document.querySelector('[data-picker-map] .leaflet-map-pane').style.transform"
    before = page.evaluate(pane)
    page.keyboard.press("ArrowDown")  # the map moves south; Enter puts the pin at the new centre
    page.wait_for_function(f"before => {pane} !== before", arg=before)
    page.keyboard.press("Enter")
    assert coordinates(page)[0] < centre[0]
    assert page.url.endswith(reverse("map-test-report"))  # Enter on the map did not send the form
    for _ in range(10):  # the zoom buttons and the attribution's links, then on out of the map
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_latitude":
            break
    expect(page.get_by_label("Latitude")).to_be_focused()
    no_problems(page)


def test_the_photos_location_is_offered_and_used_only_when_chosen(live_server, browser):  # noqa: F811
    page = picker_page(browser, live_server)
    page.goto(reverse("map-test-report"))
    picker = page.locator("[data-point-picker]")
    expect(picker).to_have_attribute("data-state", "ready")
    use_photo = page.get_by_role("button", name="Use the photo’s location")
    expect(use_photo).to_be_hidden()

    page.get_by_label("Photo").set_input_files(files=[{
        "name": "pothole.jpg", "mimeType": "image/jpeg", "buffer": jpeg_taken_at(38.5598, 68.7870)}])
    expect(use_photo).to_be_visible()
    expect(picker.get_by_role("status")).to_have_text(
        "The photo “pothole.jpg” was taken at 38.559800, 68.787000. Choose “Use the photo’s location” to put the "
        "pin there.")
    expect(page.get_by_label("Latitude")).to_have_value("")  # nothing moved without the resident's choice
    use_photo.click()
    expect(page.get_by_label("Latitude")).to_have_value("38.559800")
    expect(page.get_by_label("Longitude")).to_have_value("68.787000")

    plain = io.BytesIO()
    Image.new("RGB", (8, 8)).save(plain, "JPEG")
    page.get_by_label("Photo").set_input_files(files=[{
        "name": "street.jpg", "mimeType": "image/jpeg", "buffer": plain.getvalue()}])
    expect(picker.get_by_role("status")).to_have_text("The photo “street.jpg” does not say where it was taken.")
    expect(use_photo).to_be_hidden()
    expect(page.get_by_label("Latitude")).to_have_value("38.559800")
    no_problems(page)


def test_use_my_location_fills_the_place_or_says_why_it_cannot(live_server, browser):  # noqa: F811
    page = picker_page(browser, live_server, permissions=["geolocation"],
                       geolocation={"latitude": 38.5712, "longitude": 68.7931})
    page.goto(reverse("map-test-report"))
    expect(page.locator("[data-point-picker]")).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="Use my location").click()
    expect(page.get_by_label("Latitude")).to_have_value("38.571200")
    expect(page.get_by_label("Longitude")).to_have_value("68.793100")
    no_problems(page)

    refusing = picker_page(browser, live_server)  # the resident did not allow it
    refusing.goto(reverse("map-test-report"))
    expect(refusing.locator("[data-point-picker]")).to_have_attribute("data-state", "ready")
    refusing.get_by_role("button", name="Use my location").click()
    expect(refusing.locator("[data-point-picker]").get_by_role("status")).to_have_text(
        "You did not allow this page to know your location. Put the pin on the map or type the coordinates instead.")
    expect(refusing.get_by_label("Latitude")).to_have_value("")
    no_problems(refusing)


def test_without_javascript_the_place_is_typed_as_two_fields(live_server, browser):  # noqa: F811
    page = picker_page(browser, live_server, java_script_enabled=False)
    page.goto(reverse("map-test-report"))
    expect(page.get_by_role("group", name="Place on the map")).to_be_visible()
    expect(page.get_by_role("application")).to_be_hidden()
    expect(page.get_by_label("Search for an address or a place")).to_be_hidden()
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()

    page.get_by_label("Latitude").fill("38,5598")  # as people write it in Russian
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter both the latitude and the longitude, or neither.")
    expect(page.locator(".govuk-error-message")).to_contain_text("Enter both the latitude and the longitude")
    page.get_by_label("Longitude").fill("68.787")
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("#received")).to_have_text("Received: 38.5598, 68.787")
    assert page.tiles == []
    assert page.problems == []


def test_without_a_tile_server_the_map_still_takes_the_pin(live_server, browser, settings):  # noqa: F811
    settings.MUNIS_MAP_TILES = ""
    page = picker_page(browser, live_server)
    page.goto(reverse("map-test-report"))
    expect(page.locator("[data-point-picker]")).to_have_attribute("data-state", "ready")
    page.get_by_role("application", name="Map for choosing the place").click()
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    expect(page.locator(".leaflet-tile")).to_have_count(0)
    assert page.tiles == []
    no_problems(page)


def test_the_map_of_problems_links_each_marker_to_its_page(live_server, browser):  # noqa: F811
    page = picker_page(browser, live_server)
    page.goto(reverse("map-test-problems-page"))
    the_map = page.get_by_role("region", name="Map of reported problems")
    expect(page.locator("[data-points-map]")).to_have_attribute("data-state", "ready")
    expect(the_map.locator(".munis-map-marker")).to_have_count(3)

    pothole = the_map.get_by_role("button", name="Pothole by the station (Open)")
    pothole.click()
    link = the_map.locator(".leaflet-popup").get_by_role("link", name="Pothole by the station")
    expect(link).to_have_attribute("href", f"{live_server.url}/problems/1/")
    expect(the_map.locator(".leaflet-popup .govuk-tag--red")).to_have_text("Open")

    # With the keyboard: a marker takes the focus, Enter opens its popup.
    light = the_map.get_by_role("button", name="Broken street light (Fixed)")
    light.focus()
    page.keyboard.press("Enter")
    expect(the_map.locator(".leaflet-popup").get_by_role("link", name="Broken street light")).to_be_visible()

    # A title is text, never markup; a link that is no web address is no link.
    bench = the_map.get_by_role("button", name='<img src="x" id="injected"> Bench (Open)')
    bench.focus()  # (the light's popup may cover it from a pointer)
    page.keyboard.press("Enter")
    popup = the_map.locator(".leaflet-popup", has_text="Bench")
    expect(popup).to_contain_text('<img src="x" id="injected"> Bench')
    expect(the_map.locator(".leaflet-popup")).to_have_count(1)  # the light's closed
    expect(popup.locator("a:not(.leaflet-popup-close-button)")).to_have_count(0)
    expect(page.locator("#injected")).to_have_count(0)
    dot = bench.locator(".munis-map-dot")
    assert dot.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(143, 35, 179)"
    no_problems(page)
    if SCREENSHOT_DIR.is_dir():
        page.screenshot(path=str(SCREENSHOT_DIR / "test_maps_problems.png"), full_page=True)


def test_the_map_pages_have_no_serious_accessibility_faults(live_server, browser):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)  # only so axe can be injected
    context.route(f"{TILES}**", lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    for name, ready in (("map-test-report", "[data-point-picker]"), ("map-test-problems-page", "[data-points-map]")):
        page.goto(reverse(name))
        expect(page.locator(ready)).to_have_attribute("data-state", "ready")
        found = violations(page)
        assert not found, f"{name}: " + "; ".join(found)

