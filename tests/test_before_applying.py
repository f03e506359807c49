"""What a first-time applicant reads before and around applying: the service page (cost with its currency, how long
it takes and what working days are, which documents and files, which questions may be left out, what happens after),
the form (optional fields, the file rules under each file field, the fee by the submit button), the catalog, their
list of applications with its status tags, the confirmation pages, the verify pages; and the refusal letter, which
says how, where and by when to appeal."""

import datetime
import html
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from pypdf import PdfReader

from documents.blobs import blob_read
from eservices.models import Application
from eservices.selectors import decision_letter_of
from eservices.services import service_version_new_draft, service_version_publish, service_version_save_draft
from workflows.models import Holiday

from . import cases
from .factories import ServiceVersionFactory
from .test_accessibility import browsing, check
from .test_browser import _sync_db_from_playwright_thread, browser  # noqa: F401  (shared fixtures)

SERVICE_PAGE = reverse("eservices:service", args=["building-permit"])
APPLY_PAGE = reverse("eservices:apply", args=["building-permit"])
NBSP = "\xa0"


def _text(response):
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def _between(page, start, end):
    return page.split(start, 1)[1].split(end, 1)[0]


def _words(text):
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def _in_russian(client):
    client.get(reverse("language", args=["ru"]))


def _publish_change(people, permit_service, **changes):
    """Version 2 of the building permit, with ``changes``, in force from now."""
    draft = service_version_new_draft(actor=people.admin, source=permit_service.versions.get(number=1))
    for name, value in changes.items():
        setattr(draft, name, value)
    service_version_save_draft(actor=people.admin, version=draft)
    return service_version_publish(actor=people.admin, version=draft)


# --- the service page ------------------------------------------------------------------------------------------------

def test_the_service_page_says_what_it_costs_how_long_it_takes_and_what_working_days_are(client, permit_service):
    page = _text(client.get(SERVICE_PAGE))

    facts = _between(page, 'id="service-facts"', "</dl>")
    assert "Cost" in facts and 'id="fee">150,000 UZS</dd>' in facts
    deadline = _words(_between(facts, 'id="deadline"', "</dd>"))
    assert "A decision within 30 working days of receiving your application" in deadline
    assert "Working days are Monday to Friday, except public holidays." in deadline
    assert "Department of Architecture and Urban Planning" in facts


def test_the_fee_is_written_in_the_readers_language_and_the_configured_currency(client, permit_service, settings):
    _in_russian(client)
    assert f'id="fee">150{NBSP}000 сум</dd>' in _text(client.get(SERVICE_PAGE))

    settings.MUNIS_CURRENCY = "GEL"
    client.get(reverse("language", args=["en"]))
    assert 'id="fee">150,000 GEL</dd>' in _text(client.get(SERVICE_PAGE))


def test_a_free_service_says_free_and_an_amount_with_cents_keeps_them(client, people):
    free = ServiceVersionFactory(name="Certificate of residence", service_type__code="residence", fee=0)
    service_version_publish(actor=people.admin, version=free)
    priced = ServiceVersionFactory(name="Market stall", service_type__code="market-stall", fee=Decimal("12.50"))
    service_version_publish(actor=people.admin, version=priced)

    assert 'id="fee">Free</dd>' in _text(client.get(reverse("eservices:service", args=["residence"])))
    assert 'id="fee">12.50 UZS</dd>' in _text(client.get(reverse("eservices:service", args=["market-stall"])))
    client.force_login(people.citizen)
    assert "This service is free." in _text(client.get(reverse("eservices:apply", args=["residence"])))


def test_the_service_page_says_by_when_a_decision_comes_if_one_applies_today(client, permit_service):
    Holiday.objects.all().delete()
    Holiday.objects.create(organisation=permit_service.department.parent, date=datetime.date(2026, 1, 14),
                           name="A city holiday")
    monday = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Tashkent"))

    with time_machine.travel(monday, tick=False):
        page = _text(client.get(SERVICE_PAGE))

    # six weeks of working days from Monday 5 January, and one more for the holiday
    assert "If you apply today, you will have our decision by <strong>17 February 2026</strong> at the latest." in page


def test_the_service_page_lists_the_documents_files_and_questions_and_which_are_optional(client, people):
    page = _text(client.get(SERVICE_PAGE))

    documents = re.findall(r"<li>(.*?)</li>", _between(page, 'id="documents"', "</ul>"))
    assert documents == ["Site plan", "Architectural design", "Proof of land ownership or lease",
                         "Environmental assessment (optional)"]
    assert f"Each document: a PDF, JPEG or PNG file, at most 10{NBSP}MB." in page
    assert f"each as a PDF, JPEG or PNG file of at most 10{NBSP}MB" in page
    questions = re.findall(r"<li>(.*?)</li>", _between(page, 'id="questions"', "</ul>"))
    assert questions == ["Site address", "Cadastral number", "Type of building", "Number of floors",
                         "Total floor area (m²)", "Planned start of works (optional)",
                         "Description of the works (optional)", "District (optional)"]


def test_the_file_rules_follow_the_settings(client, permit_service, settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 5 * 1024 * 1024 + 512 * 1024
    settings.MUNIS_UPLOAD_ALLOWED_TYPES = ["application/pdf"]
    assert f"Each document: a PDF file, at most 5.5{NBSP}MB." in _text(client.get(SERVICE_PAGE))


def test_the_service_page_says_what_is_needed_before_starting_and_what_happens_after(client, people):
    page = _text(client.get(SERVICE_PAGE))

    before = _between(page, 'id="before-you-start"', "</ul>")
    assert "An account on this site" in before and "The answers to the questions listed below." in before
    after = [_words(step) for step in re.findall(r"<li>(.*?)</li>", _between(page, 'id="after-applying"', "</ol>"),
                                                 re.S)]
    assert after[0].startswith("You get a reference number at once, and an e-mail that confirms it.")
    assert after[1].startswith("A clerk checks that your application is complete.")
    assert after[3].startswith("The head of the department decides.") and "this page" not in after[3]
    assert after[4] == ("If your application is refused, the letter says why, and how to appeal: within 30 calendar "
                        "days of its date.")

    client.force_login(people.citizen)  # signed in already: no account to make
    assert "An account on this site" not in _text(client.get(SERVICE_PAGE))


def test_the_service_page_has_breadcrumbs_and_a_start_button_to_the_form(client, permit_service):
    page = _text(client.get(SERVICE_PAGE))

    crumbs = _between(page, 'class="govuk-breadcrumbs"', "</nav>")
    assert re.findall(r'href="([^"]+)">([^<]+)</a>', crumbs) == [("/", "Home"), ("/services/", "Services")]
    assert 'aria-current="page">Building permit</li>' in crumbs
    start = re.search(r'<a href="([^"]+)"[^>]*class="govuk-button govuk-button--start"[^>]*>\s*Apply now', page)
    assert start and start.group(1) == APPLY_PAGE


def test_the_service_page_in_russian(client, people):
    _in_russian(client)
    page = _text(client.get(SERVICE_PAGE))

    assert "Разрешение на строительство" in page
    assert "Экологическая экспертиза (необязательно)" in page and "Плановое начало работ (необязательно)" in page
    assert "Рабочие дни — с понедельника по пятницу, кроме праздничных дней." in page
    assert f"Каждый документ: файл PDF, JPEG или PNG, не больше 10{NBSP}МБ." in page
    assert "Что будет после подачи заявления" in page


# --- the application form --------------------------------------------------------------------------------------------

def test_the_form_marks_only_what_may_be_left_out_as_optional(client, people):
    client.force_login(people.citizen)
    page = _text(client.get(APPLY_PAGE))

    labels = dict(re.findall(r'<label class="govuk-label govuk-label--s" for="id_(\w+)">(.*?)</label>', page))
    optional = {name for name, label in labels.items() if label.endswith(" (optional)")}
    assert optional == {"start_date", "description", "district", "doc_environmental_assessment"}
    assert labels["site_address"] == "Site address" and labels["doc_site_plan"] == "Site plan"


def test_each_file_field_says_which_files_it_takes_and_how_large(client, people):
    client.force_login(people.citizen)
    page = _text(client.get(APPLY_PAGE))

    for code in ("site_plan", "architectural_design", "ownership", "environmental_assessment"):
        assert (f'<div id="id_doc_{code}-hint" class="govuk-hint">A PDF, JPEG or PNG file, at most 10{NBSP}MB.</div>'
                in page)
        field = re.search(rf'<input type="file" name="doc_{code}"[^>]*>', page).group(0)
        assert 'accept=".jpeg,.jpg,.pdf,.png,application/pdf,image/jpeg,image/png"' in field
        assert f'aria-describedby="id_doc_{code}-hint"' in field


def test_the_fee_is_repeated_by_the_submit_button(client, people):
    client.force_login(people.citizen)
    page = _text(client.get(APPLY_PAGE))

    notice = page.index('id="fee-notice"')
    assert "This service costs 150,000 UZS." in page[notice:]
    assert notice < page.index('value="submit"')


def test_the_form_keeps_the_file_hints_and_the_fee_after_an_error(client, people):
    client.force_login(people.citizen)
    response = cases.apply_over_http(client, data={"site_address": ""})

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert "Already attached: “site_plan.pdf”" in page  # the kept file's line replaces the rules under its field
    assert ('<div id="id_doc_environmental_assessment-hint" class="govuk-hint">A PDF, JPEG or PNG file, at most '
            f'10{NBSP}MB.</div>') in page
    assert "This service costs 150,000 UZS." in page


# --- the catalog and the home page -----------------------------------------------------------------------------------

def test_the_catalog_lists_each_service_with_its_cost_and_deadline(client, permit_service):
    page = _text(client.get(reverse("eservices:catalog")))

    entry = _words(_between(page, 'id="services"', "</ul>"))
    assert "Building permit" in entry and "Cost 150,000 UZS" in entry
    assert "Decision within 30 working days" in entry and "Who decides Department of Architecture" in entry
    assert f'href="{SERVICE_PAGE}">Building permit</a>' in page


def test_an_empty_catalog_says_so(client, db):
    assert "No services are published yet." in _text(client.get(reverse("eservices:catalog")))


def test_the_home_page_offers_the_services_with_their_cost_and_deadline(client, permit_service):
    page = _text(client.get(reverse("home")))

    assert '<h1 class="govuk-heading-xl">Municipal services online</h1>' in page
    assert f'href="{SERVICE_PAGE}">Building permit</a>' in page
    assert "150,000 UZS · a decision within 30 working days" in page


# --- my applications -------------------------------------------------------------------------------------------------

def test_my_applications_is_a_table_with_a_coloured_tag_for_each_status(client, people):
    draft = cases.draft(people.citizen)
    correcting = cases.in_correction(people.citizen, people.clerk)
    in_review = cases.in_review(people.citizen, people.clerk)
    refused = cases.refused(people.citizen, people)
    client.force_login(people.citizen)

    page = _text(client.get(reverse("eservices:my_applications")))

    table = _between(page, '<table class="govuk-table" id="applications">', "</table>")
    rows = {re.search(r'href="/applications/(\d+)/"', row).group(1): row
            for row in table.split('<tr class="govuk-table__row status-')[1:]}
    assert '<strong class="govuk-tag govuk-tag--grey">Draft</strong>' in rows[str(draft.pk)]
    assert "Not submitted" in rows[str(draft.pk)]
    assert '<strong class="govuk-tag govuk-tag--orange">Correction requested</strong>' in rows[str(correcting.pk)]
    assert '<strong class="govuk-tag govuk-tag--light-blue">Technical review</strong>' in rows[str(in_review.pk)]
    assert '<strong class="govuk-tag govuk-tag--red">Refused</strong>' in rows[str(refused.pk)]
    submitted_on = dateformat.format(timezone.localtime(refused.submitted_at), "j M Y")
    assert f">{refused.reference}</a>" in rows[str(refused.pk)] and submitted_on in rows[str(refused.pk)]
    assert "Building permit" in rows[str(refused.pk)]


def test_an_approved_application_has_a_green_tag(client, people):
    cases.approved(people.citizen, people)
    client.force_login(people.citizen)
    assert ('<strong class="govuk-tag govuk-tag--green">Approved</strong>'
            in _text(client.get(reverse("eservices:my_applications"))))


def test_no_applications_yet_says_so_and_leads_to_the_services(client, people):
    client.force_login(people.citizen)
    page = _text(client.get(reverse("eservices:my_applications")))

    assert 'id="no-applications">You have no applications yet.</p>' in page and "<table" not in page
    assert f'href="{reverse("eservices:catalog")}">Browse services</a>' in page


def test_a_long_list_of_applications_comes_in_pages(client, people, permit_service):
    version = permit_service.versions.get()
    Application.objects.bulk_create([Application(applicant=people.citizen, service_type=permit_service,
                                                 service_version=version) for _ in range(25)])
    client.force_login(people.citizen)

    first = _text(client.get(reverse("eservices:my_applications")))
    assert first.count('<tr class="govuk-table__row status-draft">') == 20
    assert 'aria-label="Page 1" aria-current="page"' in first and 'aria-label="Page 2"' in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = _text(client.get(reverse("eservices:my_applications"), {"page": 2}))
    assert second.count('<tr class="govuk-table__row status-draft">') == 5
    assert 'aria-label="Page 2" aria-current="page"' in second and 'rel="prev"' in second


# --- withdrawing and deleting: the warnings --------------------------------------------------------------------------

def test_withdrawing_asks_with_a_warning_a_warning_button_and_a_way_back(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    client.force_login(people.citizen)

    page = _text(client.get(reverse("eservices:withdraw", args=[application.pk])))

    warning = _words(_between(page, 'class="govuk-warning-text"', "</div>"))
    assert "Warning The municipality stops working on it and no decision will be made." in warning
    assert re.search(r'class="govuk-button govuk-button--warning"[^>]*>Yes, withdraw this application</button>', page)
    assert f'href="{reverse("eservices:application", args=[application.pk])}">No, keep it</a>' in page
    assert '<strong class="govuk-tag govuk-tag--light-blue">Technical review</strong>' in page
    assert "Why are you withdrawing it? (optional)</label>" in page  # said once, not twice
    crumbs = _between(page, 'class="govuk-breadcrumbs"', "</nav>")
    assert ">My applications</a>" in crumbs and f">{application.reference}</a>" in crumbs


def test_deleting_a_draft_asks_with_a_warning_a_warning_button_and_a_way_back(client, people):
    draft = cases.draft(people.citizen)
    client.force_login(people.citizen)

    page = _text(client.get(reverse("eservices:delete_draft", args=[draft.pk])))

    assert "This cannot be undone." in _between(page, 'class="govuk-warning-text"', "</div>")
    assert re.search(r'class="govuk-button govuk-button--warning"[^>]*>Yes, delete this draft</button>', page)
    assert f'href="{reverse("eservices:application", args=[draft.pk])}">No, keep it</a>' in page


# --- the verify pages ------------------------------------------------------------------------------------------------

def test_the_verify_page_is_a_summary_list_with_the_whole_fingerprint(client, people):
    issued = decision_letter_of(cases.approved(people.citizen, people))

    page = _text(client.get(reverse("documents:verify", args=[issued.display_code])))

    facts = _between(page, '<dl class="govuk-summary-list" id="facts">', "</dl>")
    assert f'<code id="sha256">{issued.version.sha256}</code>' in facts
    assert f'id="code">{issued.display_code}</dd>' in facts
    assert '<strong class="govuk-tag govuk-tag--green">Valid</strong>' in page
    assert f'<div id="id_pdf-hint" class="govuk-hint">A PDF file, at most 10{NBSP}MB.</div>' in page


def test_a_code_that_is_not_one_is_marked_on_its_field(client, db):
    response = client.get(reverse("documents:verify_lookup"), {"code": "O0I1"})

    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert 'class="govuk-form-group govuk-form-group--error"' in page
    assert 'aria-describedby="id_code-hint id_code-error"' in page
    assert "A verification code has ten letters and digits" in _between(page, 'id="id_code-error"', "</p>")


# --- the refusal letter ----------------------------------------------------------------------------------------------

def _letter(application):
    version = decision_letter_of(application).version
    pdf = blob_read(version.blob_key, sha256=version.sha256, size=version.size)
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _day(moment, days, language="en"):
    with translation.override(language):
        return dateformat.format(timezone.localdate(moment) + datetime.timedelta(days=days), "j E Y")


def test_a_refusal_letter_says_how_where_and_by_when_to_appeal(people):
    application = cases.refused(people.citizen, people)

    letter = _letter(application)

    last_day = _day(application.decided_at, 30)
    assert "How to appeal" in letter
    assert f"you may appeal against it until {last_day} inclusive: within 30 calendar days of the date of this letter" \
           in letter
    assert "Appeal to The Hokim (head) of the city" in letter
    assert "1 Mustaqillik Square, Tashkent" in letter and "appeals@cityhall.example" in letter
    assert f"Last day to appeal {last_day}" in letter
    assert (f"Appeal in writing, on paper or online, and quote the reference number {application.reference}."
            in letter)


def test_a_permit_letter_says_nothing_of_appeals(people):
    letter = _letter(cases.approved(people.citizen, people))

    assert "Building permit" in letter
    assert "appeal" not in letter.lower()


def test_the_appeal_period_and_body_are_the_services_and_the_letter_speaks_the_applicants_language(people,
                                                                                                   permit_service):
    _publish_change(people, permit_service, appeal_days=14, appeal_body_en="The administrative court of Tashkent",
                    appeal_body_ru="Административный суд города Ташкента", appeal_address_en="", appeal_address_ru="")
    people.citizen.preferred_language = "ru"
    people.citizen.save(update_fields=["preferred_language"])

    application = cases.refused(people.citizen, people)
    letter = _letter(application)

    last_day = _day(application.decided_at, 14, "ru")
    assert "Как обжаловать" in letter and "Административный суд города Ташкента" in letter
    assert f"Последний день для обжалования {last_day}" in letter
    assert "в течение 14 календарных дней" in letter
    assert application.reference in letter and "Where to send it" not in letter and "Куда направить" not in letter


def test_without_a_named_body_the_letter_names_the_municipality(people, permit_service):
    _publish_change(people, permit_service, appeal_body_en="", appeal_body_ru="", appeal_address_en="",
                    appeal_address_ru="")

    letter = _letter(cases.refused(people.citizen, people))

    assert "Appeal to City Hall" in letter


def test_the_demo_refusal_letter_in_russian_names_the_body_and_the_day_in_russian(people):
    people.citizen.preferred_language = "ru"
    people.citizen.save(update_fields=["preferred_language"])
    application = cases.refused(people.citizen, people)

    letter = _letter(application)

    assert "Хоким города" in letter and "площадь Мустакиллик, 1" in letter
    assert _day(application.decided_at, 30, "ru") in letter


# --- in a browser: accessible, and no sideways scrolling on a phone ------------------------------------------------

@pytest.fixture
def issued_permit(live_server, people):
    """A permit issued before the browser starts: under Playwright's event loop the flow's letter step does not
    run (the case stays awaiting its decision)."""
    return decision_letter_of(cases.approved(people.other_citizen, people))


@pytest.mark.browser
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_pages_around_applying_are_accessible_and_fit_a_phone(live_server, issued_permit, browser,  # noqa: F811
                                                                  people, language):
    draft = cases.draft(people.citizen)
    application = cases.in_review(people.citizen, people.clerk)
    issued = issued_permit
    public = [reverse("home"), reverse("eservices:catalog"), SERVICE_PAGE, reverse("documents:verify_lookup"),
              f"{reverse('documents:verify_lookup')}?code=O0I1",
              reverse("documents:verify", args=[issued.display_code]),
              reverse("documents:verify", args=["K7QM-3XPA-9R"])]
    citizens = [APPLY_PAGE, reverse("eservices:edit_draft", args=[draft.pk]), reverse("eservices:my_applications"),
                reverse("eservices:withdraw", args=[application.pk]),
                reverse("eservices:delete_draft", args=[draft.pk])]

    for user, urls in ((None, public), (people.citizen, citizens)):
        page = browsing(browser, live_server, language, user)
        for url in urls:
            page.set_viewport_size({"width": 1280, "height": 800})
            check(page, url, language)
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_function("window.innerWidth === 390")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} ({language}) scrolls sideways by {overflow}px at 390 px"
