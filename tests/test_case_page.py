"""The citizen's case page and the correction conversation: the timeline in the applicant's words (what happened
to their case, never the staff's internal steps; the decision before its letter), the whole trail for staff, each
correction round (request, answer, files changed) on the case for both, and a correction form that keeps every
answer and asks again only for what is really missing."""

import html
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from playwright.sync_api import expect

from accounts.models import Organisation
from accounts.services import access_grant
from eservices import services
from eservices.models import Application
from eservices.selectors import timeline_for
from workflows.models import CaseClock

from . import cases
from .factories import PERMIT_DATA, TINY_PDF, pdf_upload
from .test_browser import _sync_db_from_playwright_thread, browser, logged_in_page  # noqa: F401  (shared fixtures)

#: internal steps: on the staff's trail, never on the applicant's timeline
INTERNAL = ["Task claimed", "Task released", "Task reassigned", "Retention set", "Document version added",
            "Decision letter downloaded", "Document issued", "Confidential document read", "Legal hold",
            "Completeness checked", "Technical review completed", "Decision taken"]


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return html.unescape(response.content.decode())


def _case_page(client, user, application):
    return _page(client, user, reverse("eservices:application", args=[application.pk]))


def _section(page, section_id):
    assert f'id="{section_id}"' in page, f"no #{section_id} on the page"
    return page.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def _timeline(page):
    """What the page's timeline says happened, in its order."""
    return [what.strip() for what in re.findall(r'class="munis-timeline__what">(.*?)</p>', _section(page, "timeline"),
                                                re.S)]


def _text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


# --- the timeline -------------------------------------------------------------------------------------------------

def test_the_applicant_reads_what_happened_to_their_case_and_no_internal_step(client, people):
    application = cases.approved(people.citizen, people)
    client.force_login(people.citizen)
    assert client.get(reverse("eservices:decision", args=[application.pk])).status_code == 200  # audited, internal

    page = _case_page(client, people.citizen, application)

    assert _timeline(page) == [
        "Application submitted",
        "Checked and complete: the technical reviews have started",
        "Architecture review finished", "Fire safety review finished", "Environmental review finished",
        "Decision made: approved",
        "Decision letter issued",
    ]
    timeline = _section(page, "timeline")
    for internal in INTERNAL:
        assert internal not in timeline, internal
    for name in (people.clerk.full_name, people.fire.full_name, people.supervisor.full_name, "system"):
        assert name not in timeline  # staff act as the municipality


def test_the_decision_comes_before_its_letter_for_the_applicant_and_for_the_staff(client, people):
    application = cases.refused(people.citizen, people)

    told = _timeline(_case_page(client, people.citizen, application))
    assert told[-2:] == ["Decision made: refused", "Decision letter issued"]

    trail = _timeline(_case_page(client, people.supervisor, application))
    assert trail.index("Decision taken") < trail.index("Decision letter issued")
    assert trail.index("Decision taken") < trail.index("Document issued")


def test_staff_read_the_whole_trail_by_name_and_auditors_reach_the_audit_trail(client, people):
    application = cases.in_review(people.citizen, people.clerk)

    page = _case_page(client, people.clerk, application)
    timeline = _section(page, "timeline")
    assert "Case history" in page
    assert _timeline(page)[-2:] == ["Task claimed", "Completeness checked"]
    assert people.clerk.full_name in timeline and "Document version added" in timeline
    assert f"{people.clerk.full_name} took the task" in timeline  # each step told in a sentence
    trail_url = reverse("audit:trail", args=[f"eservices.application:{application.pk}"])
    assert trail_url not in page  # the audit trail is the auditors'

    page = _case_page(client, people.auditor, application)
    assert "Task claimed" in _timeline(page) and trail_url in page


def test_someone_the_case_is_shared_with_reads_the_applicants_timeline(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    access_grant(actor=people.supervisor, user=people.other_citizen, obj=application, reason="Co-owner of the plot")

    page = _case_page(client, people.other_citizen, application)

    assert _timeline(page) == ["Application submitted", "Checked and complete: the technical reviews have started"]
    assert people.clerk.full_name not in _section(page, "timeline")


def test_the_applicants_own_case_reads_as_theirs_even_when_they_are_staff(client, people):
    application = cases.submitted(people.clerk2)
    assert [entry.what for entry in timeline_for(application=application, viewer=people.clerk2)] == [
        "Application submitted"]
    assert "Document version added" in [entry.what for entry in timeline_for(application=application,
                                                                              viewer=people.clerk)]


def test_a_draft_has_nothing_on_its_timeline_yet(client, people):
    draft = cases.draft(people.citizen)
    page = _case_page(client, people.citizen, draft)
    assert _timeline(page) == [] and "Nothing has happened yet." in _section(page, "timeline")


def test_a_withdrawn_case_says_so_with_the_applicants_reason(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    services.application_withdraw(actor=people.citizen, application=application, reason="We sold the plot.")

    page = _case_page(client, people.citizen, application)

    assert _timeline(page)[-1] == "Application withdrawn"
    assert "We sold the plot." in _section(page, "timeline")


# --- the correction conversation ------------------------------------------------------------------------------------

def _answer(client, application, *, comment, files=None, **changes):
    """The applicant answers the correction over HTTP, sending what the form shows them (its fields as the page
    fills them in: FormDefaults) with ``changes`` and ``files``."""
    url = reverse("eservices:correction", args=[application.pk])
    form = FormDefaults.of(_page(client, application.applicant, url))
    payload = {**form, "comment": comment, **changes}
    for code, upload in (files or {}).items():
        payload[f"doc_{code}"] = upload
    return client.post(url, payload)


def test_the_applicant_sees_the_request_then_the_whole_round_once_answered(client, people):
    application = cases.in_correction(people.citizen, people.clerk)

    page = _case_page(client, people.citizen, application)
    banner = page.split('id="correction-request"', 1)[1].split('id="corrections"', 1)[0]
    assert "We need you to correct your application" in banner and "The site plan is unreadable." in banner
    assert "Department of Architecture and Urban Planning asked" in _text(banner)
    assert reverse("eservices:correction", args=[application.pk]) in banner
    conversation = _text(_section(page, "corrections"))
    assert "Request 1 Waiting for your answer" in conversation and "The site plan is unreadable." in conversation
    assert people.clerk.full_name not in conversation  # the department asked, not a named clerk

    response = _answer(client, application, comment="Here is a readable plan.",
                       files={"site_plan": pdf_upload("site-plan-readable.pdf")})
    assert response.status_code == 302, response.content.decode()[:3000]

    page = _case_page(client, people.citizen, application)
    assert 'id="correction-request"' not in page  # nothing to answer any more
    conversation = _text(_section(page, "corrections"))
    assert "Request 1 Answered" in conversation
    assert "What to correct The site plan is unreadable." in conversation
    assert "Your answer" in conversation and "Here is a readable plan." in conversation
    assert "Files sent with the answer Site plan: site-plan-readable.pdf (version 2)" in conversation
    assert "Architectural design" not in conversation  # what the answer did not change
    told = _timeline(page)
    assert told[1:3] == ["Correction requested", "You answered the correction request"]
    timeline = _section(page, "timeline")
    assert timeline.index("The site plan is unreadable.") < timeline.index("Here is a readable plan.")


def test_staff_see_every_round_on_the_case_page_and_on_the_task_page(client, people):
    application = cases.in_correction(people.citizen, people.clerk)
    client.force_login(people.citizen)
    assert _answer(client, application, comment="", files={"ownership": pdf_upload("lease.pdf")}).status_code == 302
    cases.check_completeness(application, people.clerk, complete=False, comment="The lease is not signed.")
    client.force_login(people.citizen)
    assert _answer(client, application, comment="Signed lease attached.",
                   files={"ownership": pdf_upload("lease-signed.pdf")}).status_code == 302

    for page in (_case_page(client, people.clerk, application),
                 _page(client, people.clerk, reverse("workflows:task", args=[
                     cases.open_task(application, "check_completeness").pk]))):
        conversation = _text(_section(page, "corrections"))
        first, second = conversation.split("Request 2")
        assert "Request 1 Answered" in first and "The site plan is unreadable." in first
        assert f"Department of Architecture and Urban Planning ({people.clerk.full_name})" in first
        assert "The applicant's answer" in first and "No comment, only the changes below." in first
        assert "Proof of land ownership or lease: lease.pdf (version 2)" in first
        assert "The lease is not signed." in second and "Signed lease attached." in second
        assert "Proof of land ownership or lease: lease-signed.pdf (version 3)" in second
        assert "lease.pdf" not in second


def test_a_correction_not_answered_in_time_reads_so_on_the_case(client, people):
    application = cases.in_correction(people.citizen, people.clerk)
    services.application_close_unanswered(task=cases.open_task(application, "correction"))

    page = _case_page(client, people.citizen, application)

    assert "Request 1 Not answered in time" in _text(_section(page, "corrections"))
    assert _timeline(page)[-1] == "Closed without a decision: the correction was not answered in time"
    assert "No answer within the deadline." not in _section(page, "corrections")


# --- the correction form --------------------------------------------------------------------------------------------

class FormDefaults(HTMLParser):
    """What a browser sends for the page's main form as it is filled in: each input's value (checked ones for
    boxes), each select's selected option, each textarea's text; no file."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea, self._in_form = {}, None, None, False

    @classmethod
    def of(cls, page):
        parser = cls()
        parser.feed(page.split("<main", 1)[1])
        return parser.values

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method") == "post":
            self._in_form = True
        if not self._in_form or not attrs.get("name") and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("file", "submit", "radio", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and attrs.get("type") in ("radio", "checkbox") and "checked" in attrs:
            self.values[attrs["name"]] = attrs.get("value", "on")
        elif tag == "select":
            self._select = attrs["name"]
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data.lstrip("\n") if not self.values[self._textarea] else data


@pytest.fixture
def district(people):
    return Organisation.objects.get(code="people-district")


def test_the_correction_form_lists_the_files_attached_and_asks_again_only_for_what_is_required(client, people):
    application = cases.in_correction(people.citizen, people.clerk)

    page = _page(client, people.citizen, reverse("eservices:correction", args=[application.pk]))

    attached = _text(page.split('id="attached-files"', 1)[1].split("</dl>", 1)[0])
    assert "Site plan site_plan.pdf (" in attached and "Architectural design architectural_design.pdf (" in attached
    assert "Proof of land ownership or lease ownership.pdf (" in attached
    assert "Environmental assessment Not attached (optional)" in attached
    assert re.search(r"site_plan\.pdf \(\d+(\.\d)? (bytes|KB)\)", attached)
    assert "the new file replaces it" in page
    assert "The site plan is unreadable." in page
    labels = [_text(label) for label in re.findall(r'<label class="govuk-label[^"]*" for="id_[^"]+">(.*?)</label>',
                                                   page, re.S)]
    # every document is attached already or optional: none is asked for again
    for document in ("Site plan", "Architectural design", "Proof of land ownership or lease",
                     "Environmental assessment"):
        assert f"{document} (optional)" in labels, labels
    for required in ("Site address", "Cadastral number", "Type of building", "Number of floors",
                     "Total floor area (m²)"):
        assert required in labels, labels
    assert "Planned start of works (optional)" in labels and "Your answer (optional)" in labels
    assert 'Attached: “site_plan.pdf”. Choose a file only to replace it.' in page
    assert "Required" not in re.findall(r'class="govuk-hint">(.*?)</div>', page)


def test_a_correction_answered_without_touching_the_form_keeps_the_district_and_every_answer(client, people, district):
    client.force_login(people.citizen)
    data = {**PERMIT_DATA, "floor_area": 1200.0, "start_date": "2027-04-01", "description": "Two storeys, brick."}
    response = cases.apply_over_http(client, data={**data, "district": district.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(applicant=people.citizen)
    assert application.district == district
    cases.check_completeness(application, people.clerk, complete=False, comment="The site plan is unreadable.")

    form = FormDefaults.of(_page(client, people.citizen, reverse("eservices:correction", args=[application.pk])))
    assert form["district"] == str(district.pk) and form["floor_area"] == "1200"
    assert form["description"] == "Two storeys, brick." and form["start_date"] == "2027-04-01"
    response = _answer(client, application, comment="New plan.", files={"site_plan": pdf_upload("plan-2.pdf")})

    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == "submitted" and application.district == district
    assert application.data == data
    assert ">Urgut District</dd>" in _case_page(client, people.citizen, application)


def test_a_correction_can_change_the_district_and_the_answers(client, people, district):
    other = Organisation.objects.create(code="other-district", name="Pastdargom District",
                                        kind=Organisation.Kind.DISTRICT, parent=district.parent)
    client.force_login(people.citizen)
    assert cases.apply_over_http(client, data={"district": district.pk}).status_code == 302
    application = Application.objects.get(applicant=people.citizen)
    cases.check_completeness(application, people.clerk, complete=False, comment="Wrong district and floors.")

    response = _answer(client, application, comment="Fixed.", district=other.pk, floors="4")

    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.district == other and application.data == {**PERMIT_DATA, "floors": 4}


# --- in the browser -------------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_the_applicant_answers_a_correction_on_a_phone(live_server, people, district, browser, tmp_path):  # noqa: F811
    application = cases.submitted(people.citizen)
    Application.objects.filter(pk=application.pk).update(district=district)
    cases.check_completeness(application, people.clerk, complete=False, comment="The site plan is unreadable.")
    new_plan = tmp_path / "readable-site-plan.pdf"
    new_plan.write_bytes(TINY_PDF)
    page = logged_in_page(browser, live_server, people.citizen)
    page.set_viewport_size({"width": 390, "height": 844})

    def fits_the_screen():
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url

    page.goto(reverse("eservices:application", args=[application.pk]))
    expect(page.locator("#correction-request")).to_contain_text("The site plan is unreadable.")
    fits_the_screen()
    page.get_by_role("link", name="Answer the correction request").click()
    expect(page.locator("#attached-files")).to_contain_text("site_plan.pdf")
    expect(page.get_by_label("District")).to_have_value(str(district.pk))
    expect(page.get_by_label("Site address")).to_have_value(PERMIT_DATA["site_address"])
    fits_the_screen()
    page.get_by_label("Your answer").fill("Here is a readable plan.")
    page.get_by_label("Site plan (optional)").set_input_files(str(new_plan))
    page.get_by_role("button", name="Send corrected application").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your corrected application has been sent.")
    conversation = page.locator("#corrections")
    expect(conversation).to_contain_text("Answered")
    expect(conversation).to_contain_text("Here is a readable plan.")
    expect(conversation).to_contain_text("readable-site-plan.pdf (version 2)")
    expect(page.locator("#status")).to_have_text("Submitted — completeness check")
    fits_the_screen()
    application.refresh_from_db()
    assert application.district == district and application.data == PERMIT_DATA


def test_the_legal_deadline_reads_as_a_date_in_the_readers_language(client, people):
    application = cases.submitted(people.citizen)
    due = CaseClock.objects.get(process_id=application.process_id).due_at
    client.force_login(people.citizen)
    url = reverse("eservices:application", args=[application.pk])
    with translation.override("en"):
        expected = dateformat.format(timezone.localtime(due), "j F Y")
    clock = client.get(url).content.decode().split('class="case-clock', 1)[1].split("</p>", 1)[0]
    assert f">{expected}</time>" in clock and due.strftime("%Y-%m-%d") not in clock.split("datetime=")[0]
    people.citizen.preferred_language = "ru"
    people.citizen.save(update_fields=["preferred_language"])
    with translation.override("ru"):
        expected_ru = dateformat.format(timezone.localtime(due), "j E Y")
    clock = client.get(url).content.decode().split('class="case-clock', 1)[1].split("</p>", 1)[0]
    assert f">{expected_ru}</time>" in clock
