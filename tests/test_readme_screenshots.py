"""The two pictures in README — a citizen's case page and a clerk's inbox — taken here, in a real browser, of pages
filled as a working day fills them. Each is checked for what it must show before it is saved.

They are saved in var/screenshots/; `make screenshots` runs this module with MUNIS_SCREENSHOTS=docs/screenshots,
where README takes them from."""

import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from eservices import services

from . import cases
from .factories import UserFactory, pdf_upload
from .test_browser import _sync_db_from_playwright_thread, browser, logged_in_page  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / os.environ.get("MUNIS_SCREENSHOTS", "var/screenshots")
DESKTOP = {"width": 1200, "height": 900}

APPLICANTS = ["Nodira Karimova", "Sherzod O'g'li Rahimov", "Malika Yusupova", "Timur Aliyev", "Gulbahor Saidova"]


def answer_correction(application, applicant):
    services.application_resubmit(actor=applicant, task=cases.open_task(application, "correction"),
                                  data=application.data, files={"site_plan": pdf_upload("site_plan_readable.pdf")},
                                  comment="A readable scan of the site plan is attached.")


@pytest.fixture
def working_day(people):
    """The citizen's application has been through one correction round and is in review; the architecture
    department's queue holds the cases of five more applicants, one of them overdue and one due soon."""
    application = cases.in_correction(people.citizen, people.clerk)
    answer_correction(application, people.citizen)
    cases.check_completeness(application, people.clerk)
    others = []
    for name in APPLICANTS:
        others.append(cases.submitted(UserFactory(full_name=name), site_address=f"{len(others) + 3} Bobur Street"))
    now = timezone.now()
    cases.set_deadline(others[0], now - datetime.timedelta(days=2))
    cases.set_deadline(others[1], now + datetime.timedelta(hours=20))
    return application, others


def test_the_pictures_in_readme(live_server, browser, people, working_day):  # noqa: F811
    application, others = working_day
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    citizen = logged_in_page(browser, live_server, people.citizen)
    citizen.set_viewport_size(DESKTOP)
    citizen.goto(reverse("eservices:application", args=[application.pk]))
    expect(citizen.get_by_role("heading", level=1)).to_contain_text(application.reference)
    expect(citizen.locator("main")).to_contain_text("The site plan is unreadable.")
    expect(citizen.locator("main")).to_contain_text("A readable scan of the site plan is attached.")
    citizen.screenshot(path=str(SCREENSHOTS / "citizen-case.png"), full_page=True)

    clerk = logged_in_page(browser, live_server, people.clerk)
    clerk.set_viewport_size(DESKTOP)
    clerk.goto(reverse("workflows:inbox"))
    rows = clerk.locator("table.inbox tbody tr")
    expect(rows).to_have_count(len(APPLICANTS) + 1)
    for name in APPLICANTS:
        expect(clerk.locator("table.inbox")).to_contain_text(name)
    expect(clerk.locator("table.inbox tbody tr", has_text=others[0].reference)).to_contain_text("Overdue")
    clerk.screenshot(path=str(SCREENSHOTS / "staff-inbox.png"), full_page=True)
