"""A building permit in a real browser: the citizen applies through the
portal's pages, a clerk works the case from the inbox, and the citizen sees the
status move — clicks, form fields, file uploads and redirects as people use
them, against a live server.

Drives Debian's chromium (``/usr/bin/chromium``) through Playwright; never a
browser downloaded by ``playwright install``.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from .factories import PASSWORD, PERMIT_DATA, TINY_PDF

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path(settings.BASE_DIR) / "var" / "test_browser_final.png"


@pytest.fixture
def _sync_db_from_playwright_thread(monkeypatch):
    """Playwright's sync API keeps an event loop in the test's thread, and
    Django then refuses the test's own (synchronous) ORM calls. Nothing here
    is async: allow them, for this module only."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(_sync_db_from_playwright_thread):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (Makefile target debs-test); "
                    "or run `apt-get install chromium`.", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright runs, asgiref's Local gives Django fresh database
            # connections (fixtures set up after this one, the test body).
            # Close them here, or the test database cannot be dropped at the end.
            connections.close_all()


@pytest.fixture
def pdfs(tmp_path):
    paths = {}
    for code in ("site_plan", "architectural_design", "ownership"):
        paths[code] = tmp_path / f"{code}.pdf"
        paths[code].write_bytes(TINY_PDF)
    return paths


def logged_in_page(browser, live_server, user):
    """A fresh browser session, logged in through the real login form."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.locator("header .who")).to_have_text(user.full_name)
    return page


def fill_permit_form(page, files):
    """Type the permit form's fields as a citizen would and choose its three documents
    (``files``: document code -> a path or Playwright's {name, mimeType, buffer})."""
    page.get_by_label("Site address").fill(PERMIT_DATA["site_address"])
    page.get_by_label("Cadastral number").fill(PERMIT_DATA["cadastral_number"])
    page.get_by_label("Type of building").select_option(label="Residential")
    page.get_by_label("Number of floors").fill(str(PERMIT_DATA["floors"]))
    page.get_by_label("Total floor area (m²)").fill(str(PERMIT_DATA["floor_area"]))
    for code, label in (("site_plan", "Site plan"), ("architectural_design", "Architectural design"),
                        ("ownership", "Proof of land ownership or lease")):
        page.get_by_label(label).set_input_files(files[code])


def test_citizen_applies_in_the_browser_and_a_clerk_sends_the_case_to_review(live_server, browser, people, pdfs):
    # The citizen finds the service in the catalog and applies.
    citizen = logged_in_page(browser, live_server, people.citizen)
    citizen.locator("header").get_by_role("link", name="Services").click()
    citizen.get_by_role("link", name="Building permit").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Building permit")
    citizen.get_by_role("link", name="Apply").click()
    fill_permit_form(citizen, pdfs)
    citizen.get_by_role("button", name="Submit application").click()

    reference = f"BP-{timezone.now().year}-000001"
    expect(citizen.locator(".govuk-notification-banner")).to_contain_text(f"Application {reference} submitted.")
    expect(citizen.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(citizen.locator("#status")).to_contain_text("Submitted")
    expect(citizen.locator("main")).to_contain_text("site_plan.pdf")

    # The clerk takes the case from the queue and sends it to technical review.
    clerk = logged_in_page(browser, live_server, people.clerk)
    clerk.locator("header").get_by_role("link", name="Inbox").click()
    expect(clerk.get_by_role("link", name="Queue")).to_have_attribute("aria-current", "page")
    row = clerk.locator("table.inbox tr", has_text=reference)
    expect(row).to_contain_text("Completeness check")
    row.get_by_role("button", name="Claim").click()
    expect(clerk.locator(".govuk-notification-banner")).to_contain_text("The task is yours now.")
    expect(clerk.get_by_role("heading", level=1)).to_have_text("Completeness check")
    expect(clerk.locator("main")).to_contain_text(reference)
    clerk.get_by_label("Yes — send to technical review").check()
    clerk.get_by_role("button", name="Complete", exact=True).click()
    expect(clerk.locator(".govuk-notification-banner")).to_contain_text("Task completed.")
    # The clerk's department also reviews architecture: that step now waits in the queue.
    rows = clerk.locator("table.inbox tbody tr", has_text=reference)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Architecture review")

    # Back on the citizen's page the case has moved on.
    citizen.reload()
    expect(citizen.locator("#status")).to_have_text("Technical review")

    SCREENSHOT.parent.mkdir(exist_ok=True)
    citizen.screenshot(path=str(SCREENSHOT), full_page=True)
