"""The call centre's screen in Debian's chromium, as an operator uses it during a call: with the keyboard alone —
the focus starts in the first field, typing picks the category, Tab moves on, Enter files — and the next call
starts from the confirmation with one more Enter. axe-core finds nothing serious on the form."""

import pytest
from playwright.sync_api import expect

from reports.models import Report
from tests.test_accessibility import browsing, violations
from tests.test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401 (fixtures)
from tests.test_keyboard_only import tab_to

pytestmark = pytest.mark.browser


def test_an_operator_files_a_call_with_the_keyboard_alone_and_starts_the_next(live_server, browser, city,  # noqa: F811
                                                                             settings):
    settings.MUNIS_MAP_TILES = ""  # no tile server on a test machine; the point picker works without tiles
    page = browsing(browser, live_server, "en", city.dispatcher)  # (its CSP bypassed for axe only)
    page.get_by_role("link", name="Report by phone").click()

    category = page.get_by_label("What is the problem?")
    expect(category).to_be_focused()
    assert violations(page) == []
    page.keyboard.type("Pothole")
    expect(category).to_have_value(str(city.pothole.pk))
    for label, text in (("Where is it?", "Somoni avenue 14, by the bakery"),
                        ("What did the caller say?", "A deep pothole in the right lane."),
                        ("Caller's name", "Farida Yusupova"), ("Caller's phone", "+998 93 444 55 66")):
        tab_to(page, page.get_by_label(label))
        page.keyboard.type(text)
    tab_to(page, page.get_by_label("The caller wants the report's news by SMS"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="File the report"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Report filed")).to_be_visible()
    report = Report.objects.get()
    expect(page.locator(".filed-reference")).to_have_text(report.reference)
    assert report.category == city.pothole and report.contact_phone == "+998 93 444 55 66"
    assert report.followers.get().phone == "+998 93 444 55 66"

    another = page.get_by_role("link", name="File another report")
    expect(another).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("What is the problem?")).to_be_focused()
    expect(page.get_by_label("Where is it?")).to_have_value("")


def test_the_screen_has_no_serious_accessibility_problem_in_russian(live_server, browser, city,  # noqa: F811
                                                                   settings):
    settings.MUNIS_MAP_TILES = ""
    page = browsing(browser, live_server, "ru", city.dispatcher)
    page.goto("/staff/problems/new/")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.get_by_role("button", name="Подать сообщение").click()  # an empty form: its error summary and messages
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert violations(page) == []
