"""The whole building permit on a phone, in Russian: a citizen and the staff who work the case each use a 390 × 844
screen with the page language set to Russian, from the first page to the signed permit and its verification.
Every page they see must fit the screen's width (no sideways scrolling) and be in Russian throughout: no English
sentence left over, in the text, the page title or what a screen reader reads (labels, alternative texts)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.models import Organisation
from eservices.models import Application

from .factories import PASSWORD, TINY_PDF
from .test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Each page of the walk as the phone showed it, to look at.
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "phone_walk"

# What the people in this walk type, in the language they write in.
SITE_ADDRESS = "ул. Навои, 12, Ташкент"
CADASTRAL_NUMBER = "10:05:0012345:17"

# Every text the page shows or gives to a screen reader: text nodes (visually hidden ones included), the title,
# labels given as attributes, alternative texts and button values.
PAGE_TEXTS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement.closest('script, style, template, noscript')) texts.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder], input[type=submit]')) {
    for (const name of ['aria-label', 'title', 'alt', 'placeholder', 'value']) {
      if (el.hasAttribute(name) && (name !== 'value' || el.type === 'submit')) texts.push(el.getAttribute(name));
    }
  }
  return texts.map(t => t.replace(/\\s+/g, ' ').trim()).filter(t => t);
}"""

# A word of two or more Latin letters. In a Russian page only names, codes and what people typed may have them.
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# ... and codes: file names, hexadecimal fingerprints, verification codes (QNX3-7KQ4-87).
CODES = re.compile(r"[\w.-]+\.pdf\b|\b[0-9a-f]{16,}\b|\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}\b")


def ru(message):
    with translation.override("ru"):
        return translation.gettext(message)


class Walk:
    """Collects, page by page, what a phone user in Russian would find wrong; reported all at once at the end."""

    def __init__(self, data):
        self.problems = []
        self.seen = []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
        # Proper names and codes that stay in Latin letters in a Russian page.
        self.data = sorted(data, key=len, reverse=True)

    def look(self, page):
        page.wait_for_load_state("load")
        where = page.url.split("//", 1)[-1].split("/", 1)[-1]
        self.seen.append(where)
        page.screenshot(path=str(SCREENSHOTS / f"{len(self.seen):02d}.png"), full_page=True)
        if page.locator("html").get_attribute("lang") != "ru":
            self.problems.append(f"/{where}: the page is not in Russian (lang={page.locator('html').get_attribute('lang')})")
        wide = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if wide[0] > wide[1]:
            self.problems.append(f"/{where}: {wide[0]} px wide on a {wide[1]} px screen")
        for text in page.evaluate(PAGE_TEXTS):
            rest = text
            for known in self.data:
                rest = rest.replace(known, " ")
            rest = CODES.sub(" ", rest)
            if LATIN_WORD.search(rest):
                self.problems.append(f"/{where}: not translated: {text!r}")
        (SCREENSHOTS / "problems.txt").write_text("\n".join(dict.fromkeys(self.problems)))

    def report(self):
        assert not self.problems, "\n".join(dict.fromkeys(self.problems))


def on_phone(browser, live_server):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="en-US", accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/")
    # The language switch in the header.
    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    return page


def go_to(page, link_text):
    """Follow a link of the header's service navigation, opening its menu first where the screen is too narrow
    to show the links."""
    page.wait_for_load_state("load")  # the menu works once the design system's script has run
    menu = page.locator("header .govuk-service-navigation__toggle")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
    page.locator("header").get_by_role("link", name=ru(link_text), exact=True).click()


def log_in(page, walk, person):
    go_to(page, "Log in")
    walk.look(page)
    page.locator("input[name=username]").fill(person.email)
    page.locator("input[type=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("header .who")).to_contain_text(person.full_name)


def work_task(page, walk, reference, step_title, answers):
    """From the inbox: claim the case's task, answer its form (``{field name: value}``; radios by value) and
    complete it."""
    go_to(page, "Inbox")
    walk.look(page)
    row = page.locator("table.inbox tbody tr", has_text=reference).filter(has_text=ru(step_title))
    expect(row).to_have_count(1)
    row.get_by_role("button", name=ru("Claim")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ru(step_title))
    walk.look(page)
    for name, value in answers.items():
        field = page.locator(f"#task-form [name={name}]")
        if field.first.get_attribute("type") == "radio":
            page.locator(f"#task-form [name={name}][value={value}]").check()
        else:
            field.fill(value)
    page.locator("#task-form").get_by_role("button", name=ru("Complete"), exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(ru("Task completed."))
    walk.look(page)


def organisations_named_in_russian():
    """A Russian-speaking installation names its organisations in Russian too (the admin's per-language names);
    the departments and districts a case passes through are data the pages show."""
    russian = {"dept-architecture": "Отдел архитектуры", "dept-fire-safety": "Отдел пожарной безопасности",
               "dept-environment": "Отдел экологии", "city-hall": "Хокимият", "people-district": "Ургутский район",
               "people-region": "Самаркандская область"}
    for organisation in Organisation.objects.filter(code__in=russian):
        organisation.name_ru = russian[organisation.code]
        organisation.save(update_fields=["name_ru"])


def test_the_whole_permit_on_a_phone_in_russian(live_server, browser, people, tmp_path):  # noqa: F811
    organisations_named_in_russian()
    for name in ("site_plan", "architectural_design", "ownership", "site_plan_readable"):
        (tmp_path / f"{name}.pdf").write_bytes(TINY_PDF)
    everyone = vars(people).values()
    reference = f"BP-{timezone.now().year}-000001"
    walk = Walk([*(person.full_name for person in everyone), *(person.email for person in everyone), reference,
                 "Munis", "AGPL-3.0-or-later", "English", "O'zbek", "PDF", "JPEG", "PNG", "SHA-256", "SMS",
                 # the signing certificate's subject, as the certificate says it
                 f"{settings.MUNIS_MUNICIPALITY_NAME} (development certificate)"])

    # Before signing in: the home page, the catalog, the service.
    citizen = on_phone(browser, live_server)
    walk.look(citizen)
    go_to(citizen, "Services")
    walk.look(citizen)
    citizen.locator("main a[href$='/services/building-permit/']").first.click()
    walk.look(citizen)
    log_in(citizen, walk, people.citizen)
    # Letters and e-mails in Russian too: the citizen's account says so.
    citizen.locator("header").get_by_role("link", name=ru("Your account")).click()
    walk.look(citizen)
    citizen.locator("[name=preferred_language][value=ru]").check()
    citizen.locator("main form button[type=submit]").click()
    expect(citizen.locator(".govuk-notification-banner")).to_be_visible()
    walk.look(citizen)

    # The form, sent empty first: the errors.
    citizen.goto(reverse("eservices:apply", args=["building-permit"]))
    walk.look(citizen)
    citizen.locator("main form button[name=action][value=submit]").click()
    expect(citizen.locator(".govuk-error-summary")).to_be_visible()
    walk.look(citizen)
    citizen.locator("[name=site_address]").fill(SITE_ADDRESS)
    citizen.locator("[name=cadastral_number]").fill(CADASTRAL_NUMBER)
    citizen.locator("[name=building_type]").select_option(value="residential")
    citizen.locator("[name=floors]").fill("3")
    citizen.locator("[name=floor_area]").fill("420")
    for code in ("site_plan", "architectural_design", "ownership"):
        citizen.locator(f"[name=doc_{code}]").set_input_files(tmp_path / f"{code}.pdf")
    citizen.locator("main form button[name=action][value=submit]").click()
    expect(citizen.get_by_role("heading", level=1)).to_contain_text(reference)
    walk.look(citizen)

    # The clerk, on a phone too, asks for a readable site plan.
    clerk = on_phone(browser, live_server)
    log_in(clerk, walk, people.clerk)
    work_task(clerk, walk, reference, "Completeness check",
              {"complete": "no", "comment": "План участка не читается."})

    # The citizen answers.
    citizen.reload()
    walk.look(citizen)
    citizen.get_by_role("link", name=ru("Answer the correction request")).click()
    walk.look(citizen)
    citizen.locator("[name=doc_site_plan]").set_input_files(tmp_path / "site_plan_readable.pdf")
    citizen.locator("main form button[type=submit]").last.click()
    expect(citizen.locator(".govuk-notification-banner")).to_be_visible()
    walk.look(citizen)

    # Complete now; the three reviews; the head's decision.
    work_task(clerk, walk, reference, "Completeness check", {"complete": "yes"})
    work_task(clerk, walk, reference, "Architecture review", {"favourable": "yes", "comment": "Замечаний нет."})
    for person, step in ((people.fire, "Fire safety review"), (people.environment, "Environmental review")):
        reviewer = on_phone(browser, live_server)
        log_in(reviewer, walk, person)
        work_task(reviewer, walk, reference, step, {"favourable": "yes"})
    head = on_phone(browser, live_server)
    log_in(head, walk, people.supervisor)
    work_task(head, walk, reference, "Decision by the head", {"approve": "yes"})

    # The citizen's permit: the case page, the download, the verification page; the list of applications.
    citizen.reload()
    expect(citizen.locator("#status")).to_have_text(ru("Approved"))
    walk.look(citizen)
    with citizen.expect_download() as download:
        citizen.get_by_role("link", name=ru("Download the decision (PDF)")).click()
    assert download.value.suggested_filename == f"{reference}.pdf"
    citizen.locator("#verify-link").click()
    walk.look(citizen)
    go_to(citizen, "My applications")
    walk.look(citizen)

    assert Application.objects.get(reference=reference).status == Application.Status.APPROVED
    walk.report()
