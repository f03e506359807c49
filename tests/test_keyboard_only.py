"""A citizen who uses no mouse: the building permit from the first page to the decision PDF with the keyboard
alone — Tab to move, typing to fill in, Space to tick and to open the file chooser, Enter to follow a link or send
a form — in Debian's chromium. Every element reached shows where the focus is.

The clerk's and the head's steps are taken through the services (their pages have their own browser tests)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from eservices.models import Application

from . import cases
from .factories import PASSWORD, PERMIT_DATA, TINY_PDF
from .test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

TABS_AT_MOST = 120

# Where the focus is drawn: the design system draws a focused field or link with an outline or a shadow; a radio or
# a checkbox (whose input is hidden under its drawn box) on its label's box.
FOCUS_SHOWN = """el => {
  const drawn = (style) => (style.outlineStyle !== 'none' && style.outlineColor !== 'rgba(0, 0, 0, 0)'
                            && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  if (el.type === 'radio' || el.type === 'checkbox') {
    const label = document.querySelector(`label[for="${el.id}"]`);
    return !!label && drawn(getComputedStyle(label, '::before'));
  }
  return drawn(getComputedStyle(el));
}"""


def tab_to(page, target):
    """Press Tab until ``target`` has the focus (as a keyboard user moves through the page) and check that the page
    shows where the focus is. Fails when the element cannot be reached within TABS_AT_MOST presses."""
    expect(target).to_have_count(1)
    page.wait_for_load_state("load")  # the page's scripts have run: what a key does is what the page does
    element = target.element_handle()
    for _ in range(TABS_AT_MOST):
        page.keyboard.press("Tab")
        if page.evaluate("el => document.activeElement === el", element):
            assert page.evaluate(FOCUS_SHOWN, element), f"no visible focus on {target}"
            return
    raise AssertionError(f"{target} is not reachable with the Tab key on {page.url}")


def follow(page, link):
    """Tab to a link or button and press Enter."""
    tab_to(page, link)
    page.keyboard.press("Enter")


def type_into(page, field, text):
    tab_to(page, field)
    page.keyboard.type(text)


def choose_file(page, field, path):
    """Open the file chooser with Space, as the keyboard does, and pick ``path``. On a loaded machine a key press
    can come before the page is ready to open the dialog, and be lost: the person tries again (Space, then Enter,
    which opens it as well), coming back to the field each time."""
    for attempt, key in enumerate(("Space", "Enter", "Space")):
        tab_to(page, field) if attempt == 0 else field.focus()
        expect(field).to_be_focused()
        try:
            with page.expect_file_chooser(timeout=10_000) as chooser:
                page.keyboard.press(key)
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            continue
        chooser.value.set_files(path)
        return


def staff_at_work(work):
    """Run the staff's steps in a thread of their own: Playwright keeps an event loop running in the test's thread,
    and the letter's signing (pyHanko) runs its own, which cannot start inside another."""
    def run():
        try:
            work()
        finally:
            connection.close()
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run).result()


def approve(application, people):
    """The clerk finds the case complete, the three departments review it favourably, the head approves it."""
    cases.check_completeness(application, people.clerk)
    cases.review_favourably(application, people)
    cases.decide(application, people, approve=True)


def test_a_citizen_applies_answers_a_correction_and_downloads_the_decision_with_the_keyboard_alone(
        live_server, browser, people, tmp_path):  # noqa: F811
    for name in ("site_plan", "architectural_design", "ownership", "site_plan_readable"):
        (tmp_path / f"{name}.pdf").write_bytes(TINY_PDF)
    context = browser.new_context(base_url=live_server.url, locale="en-US", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/")

    # The skip link is the first stop; then the way in.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    follow(page, page.locator("header").get_by_role("link", name="Log in"))
    type_into(page, page.get_by_label("E-mail address"), people.citizen.email)
    type_into(page, page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("header .who")).to_contain_text(people.citizen.full_name)

    # To the service, and its form.
    follow(page, page.locator("header").get_by_role("link", name="Services"))
    follow(page, page.get_by_role("link", name="Building permit"))
    follow(page, page.locator("main").get_by_role("link", name="Apply"))
    type_into(page, page.get_by_label("Site address"), PERMIT_DATA["site_address"])
    type_into(page, page.get_by_label("Cadastral number"), PERMIT_DATA["cadastral_number"])
    tab_to(page, page.get_by_label("Type of building"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Type of building")).not_to_have_value("")
    type_into(page, page.get_by_label("Number of floors"), str(PERMIT_DATA["floors"]))
    type_into(page, page.get_by_label("Total floor area (m²)"), "420")
    choose_file(page, page.get_by_label("Site plan"), tmp_path / "site_plan.pdf")
    choose_file(page, page.get_by_label("Architectural design"), tmp_path / "architectural_design.pdf")
    choose_file(page, page.get_by_label("Proof of land ownership or lease"), tmp_path / "ownership.pdf")
    follow(page, page.get_by_role("button", name="Submit application"))

    reference = f"BP-{timezone.now().year}-000001"
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    application = Application.objects.get(reference=reference)
    assert application.data["floor_area"] == 420

    # The clerk finds the site plan unreadable.
    staff_at_work(lambda: cases.check_completeness(application, people.clerk, complete=False,
                                                   comment="The site plan is unreadable."))
    page.reload()
    expect(page.locator("main")).to_contain_text("The site plan is unreadable.")
    follow(page, page.get_by_role("link", name="Answer the correction request"))
    choose_file(page, page.get_by_label("Site plan"), tmp_path / "site_plan_readable.pdf")
    follow(page, page.get_by_role("button", name="Send corrected application"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your corrected application has been sent.")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    # The case goes through its checks, reviews and the head's approval.
    staff_at_work(lambda: approve(application, people))

    # The citizen downloads the permit.
    page.reload()
    expect(page.locator("#status")).to_have_text("Approved")
    tab_to(page, page.get_by_role("link", name="Download the decision (PDF)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"{reference}.pdf"
    saved = tmp_path / "decision.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    context.close()
