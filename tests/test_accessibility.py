"""WCAG 2.1 AA on the pages people use: axe-core (from npm) runs in Debian's chromium on every citizen page
and the staff workspace's main pages (inbox, task and decision pages, substitutes, process diagrams, incidents,
the audit search and trail), in English and in Russian, and finds nothing serious or critical."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from eservices import services

from . import cases
from .factories import PASSWORD, pdf_upload
from .test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page):
    """axe-core's serious and critical findings on the page as it stands (rules of WCAG 2.1 A and AA)."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in found if v["impact"] in ("serious", "critical")]


def browsing(chromium, live_server, language, user=None):
    """A browser session in ``language`` (chosen with the header's language link), signed in as ``user`` through
    the login form. The page's Content-Security-Policy is bypassed only so axe can be injected."""
    context = chromium.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{reverse('language', args=[language])}?next=/")
    if user is not None:
        page.goto(reverse("accounts:login"))
        page.locator("#id_username, input[name=username]").first.fill(user.email)
        page.locator("input[type=password]").first.fill(PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_selector("header .who")
    return page


def check(page, url, language):
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == language, url
    found = violations(page)
    assert not found, f"{url} ({language}): " + "; ".join(found)


@pytest.fixture
def refused(people):
    """A refused permit with its letter. Made before the browser starts: the letter is signed with asyncio,
    which cannot run inside the event loop Playwright keeps in the test's thread."""
    application = cases.refused(people.citizen, people)
    assert application.status == "refused"  # its letter issued
    return application


@pytest.mark.parametrize("language", ["en", "ru"])
def test_citizen_and_staff_pages_have_no_serious_accessibility_faults(live_server, refused, browser, people,  # noqa: F811
                                                                      language):
    draft = cases.draft(people.citizen)
    application = cases.in_review(people.citizen, people.clerk)
    task = cases.open_task(application, "review_architecture")
    correcting = cases.in_correction(people.citizen, people.clerk)
    answered = cases.in_correction(people.citizen, people.clerk)  # answered: the clerk checks it again
    services.application_resubmit(actor=people.citizen, task=cases.open_task(answered, "correction"),
                                  data=answered.data, files={"site_plan": pdf_upload("readable-plan.pdf")},
                                  comment="Here is a readable plan.")
    check_again = cases.open_task(answered, "check_completeness")
    anonymous = [reverse("home"), reverse("eservices:catalog"), reverse("eservices:service", args=["building-permit"]),
                 reverse("accounts:login"), reverse("accounts:signup"), reverse("accounts:password_reset")]
    citizen_pages = [reverse("eservices:apply", args=["building-permit"]), reverse("eservices:my_applications"),
                     reverse("eservices:application", args=[application.pk]),
                     reverse("eservices:edit_draft", args=[draft.pk]),
                     # a correction asked for, its form, a correction answered, a decision with its letter
                     reverse("eservices:application", args=[correcting.pk]),
                     reverse("eservices:correction", args=[correcting.pk]),
                     reverse("eservices:application", args=[answered.pk]),
                     reverse("eservices:application", args=[refused.pk]), reverse("accounts:profile")]
    staff_pages = [reverse("workflows:inbox"), reverse("workflows:task", args=[task.pk]),
                   reverse("workflows:task", args=[check_again.pk]),  # the case summary with its conversation
                   reverse("eservices:application", args=[answered.pk]),  # the staff's case page: the whole trail
                   reverse("accounts:profile")]
    decision = cases.claimed(cases.reviewed(people.other_citizen, people), "decision", people.supervisor)
    head_pages = [reverse("workflows:inbox") + "?tab=team", reverse("workflows:task", args=[decision.pk]),
                  reverse("workflows:delegations"), reverse("workflows:flows")]
    auditor_pages = [reverse("audit:search"), reverse("audit:trail", args=[f"eservices.application:{application.pk}"]),
                     reverse("workflows:incidents")]

    page = browsing(browser, live_server, language)
    for url in anonymous:
        check(page, url, language)
    for person, urls in ((people.citizen, citizen_pages), (people.clerk, staff_pages), (people.supervisor, head_pages),
                         (people.auditor, auditor_pages)):
        page = browsing(browser, live_server, language, person)
        for url in urls:
            check(page, url, language)
    # a form sent back with its errors: the error summary, the fields marked
    page = browsing(browser, live_server, language, people.citizen)
    page.goto(reverse("eservices:apply", args=["building-permit"]))
    page.locator("main form button[name=action][value=submit]").click()
    page.wait_for_selector(".govuk-error-summary")
    found = violations(page)
    assert not found, f"apply with errors ({language}): " + "; ".join(found)
    page.goto(reverse("accounts:profile"))
    page.locator("#id_full_name").fill("")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".govuk-error-summary")
    found = violations(page)
    assert not found, f"profile with errors ({language}): " + "; ".join(found)


def test_the_check_finds_a_fault_where_there_is_one(browser):  # noqa: F811
    """The harness itself: a page with an image without alternative text and an unlabelled field fails it."""
    page = browser.new_context(bypass_csp=True).new_page()
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="x.png">'
                     '<input type="text"></main></body></html>')
    found = violations(page)
    assert any(line.startswith("image-alt (critical)") for line in found), found
    assert any(line.startswith("label (critical)") for line in found), found
