"""A supervisor in a real browser: opens the overdue list, ticks two late
tasks, hands them to a colleague in one go, then follows a case to its process
diagram and sees its open step highlighted."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.models import AuditEvent

from . import cases
from .test_browser import _sync_db_from_playwright_thread, browser, logged_in_page  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser


def test_supervisor_bulk_reassigns_overdue_tasks_and_sees_the_case_in_the_diagram(live_server, browser, people):  # noqa: F811
    late = [cases.submitted(people.citizen) for _ in range(2)]
    cases.claimed(late[0], "check_completeness", people.clerk)
    on_time = cases.submitted(people.other_citizen)
    for application in late:
        cases.set_deadline(application, timezone.now() - datetime.timedelta(days=1))

    page = logged_in_page(browser, live_server, people.supervisor)
    page.get_by_role("link", name="Inbox").first.click()
    page.get_by_role("link", name="Overdue").click()
    rows = page.locator("table.inbox tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table.inbox")).not_to_contain_text(on_time.reference)
    expect(rows.first.locator(".govuk-tag.munis-clock")).to_have_text("Overdue")

    for application in late:
        page.get_by_label(f"Select {application.reference}").check()
    page.get_by_label("New assignee").select_option(label=people.clerk2.full_name)
    page.get_by_role("button", name="Reassign ticked tasks").click()
    expect(page.get_by_text("2 tasks reassigned to Erkin Clerk.")).to_be_visible()
    expect(page.get_by_role("link", name="Overdue")).to_have_attribute("aria-current", "page")  # back where they were
    expect(rows.locator("td", has_text="Erkin Clerk")).to_have_count(2)
    assert AuditEvent.objects.filter(action="workflows.task.reassign", actor=people.supervisor).count() == 2

    page.get_by_role("link", name=late[1].reference).click()
    page.get_by_role("link", name="Where this case stands in the process diagram").click()
    diagram = page.locator("#flow-diagram")
    expect(diagram).to_have_attribute("data-state", "ready")
    expect(diagram.locator('.djs-element[data-element-id="Activity_check_completeness"]')).to_have_class(
        re.compile(r"\bmunis-current\b"))
