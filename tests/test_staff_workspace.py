"""The staff workspace as staff read it: each inbox row says whose case it is, since when it waits, which step,
who holds it and how its clock stands; the task page sets out the task's facts under breadcrumbs; the head who
decides reads every review's opinion and comment on the decision page; the auditor reads a case under its
reference, and a draft in words, never under a draft's number."""

import datetime
import html as html_module
import re

from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation
from core.models import AuditEvent
from eservices import services

from . import cases
from .cases import Task
from .factories import PERMIT_DATA, permit_files
from .flowapp.flows import WorkOrderFlow

INBOX = reverse("workflows:inbox")


def _page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def _text(fragment):
    """A piece of HTML as it reads: no tags, entities decoded, white space collapsed."""
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _inbox_rows(html):
    """``{case: [cell texts]}`` of the inbox table."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in body.split("</tr>")[:-1]:
        cells = [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        rows[cells[0]] = cells
    return rows


def _day(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def _due(application):
    return cases.open_task(application, "check_completeness").sla_clock.due_at


# --- the inbox --------------------------------------------------------------------------------------------------------

def test_each_inbox_row_shows_the_case_its_applicant_when_it_was_submitted_the_task_its_holder_and_its_clock(
        client, people, permit_service, settings):
    settings.TIME_ZONE = "Asia/Tashkent"
    on_time = cases.submitted(people.citizen)
    due_soon = cases.submitted(people.other_citizen)
    overdue = cases.submitted(people.citizen)
    cases.claimed(overdue, "check_completeness", people.clerk2)
    cases.set_deadline(due_soon, timezone.now() + datetime.timedelta(hours=3))
    cases.set_deadline(overdue, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(people.clerk)

    queue = _inbox_rows(_page(client, INBOX))
    assert queue == {
        on_time.reference: [on_time.reference, "Aziza Citizen", _day(on_time.submitted_at), "Completeness check",
                            "Unassigned", f"{_day(_due(on_time))} On time", f"Claim {on_time.reference}"],
        due_soon.reference: [due_soon.reference, "Bekzod Neighbour", _day(due_soon.submitted_at), "Completeness check",
                             "Unassigned", f"{_day(_due(due_soon))} Due soon", f"Claim {due_soon.reference}"],
    }
    late = _inbox_rows(_page(client, INBOX, tab="overdue"))
    assert late == {overdue.reference: [overdue.reference, "Aziza Citizen", _day(overdue.submitted_at),
                                        "Completeness check", "Erkin Clerk", f"{_day(_due(overdue))} Overdue", ""]}
    html = _page(client, INBOX)
    for application, colour, label in ((on_time, "green", "On time"), (due_soon, "yellow", "Due soon")):
        assert f'<strong class="govuk-tag govuk-tag--{colour} munis-clock">{label}</strong>' in html
        submitted = timezone.localtime(application.submitted_at)
        assert f'<time datetime="{submitted.isoformat()}">{submitted:%Y-%m-%d}</time>' in html


def test_a_task_without_a_deadline_and_a_case_without_a_reference_say_so(client, people):
    process = WorkOrderFlow.start.run(organisation=Organisation.objects.get(code="water"))
    client.force_login(people.supplier)
    assert _inbox_rows(_page(client, INBOX)) == {
        f"Work order #{process.pk}": [f"Work order #{process.pk}", "—", "—", "Do the work", "Unassigned",
                                      "No deadline", f"Claim Work order #{process.pk}"]}


def test_the_inbox_lists_are_tabs_and_its_filters_are_labelled_form_controls(client, people, permit_service):
    client.force_login(people.supervisor)
    html = _page(client, INBOX, tab="team")
    tabs = html.split('<nav class="govuk-tabs munis-tabs"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'<a class="govuk-tabs__tab" href="\?tab=(\w+)"', tabs) == ["queue", "mine", "team", "overdue"]
    assert ('<li class="govuk-tabs__list-item govuk-tabs__list-item--selected"><a class="govuk-tabs__tab" '
            'href="?tab=team" aria-current="page">Team tasks</a></li>') in tabs
    for name in ("q", "service", "status", "due", "district", "sort"):
        assert f'<label class="govuk-label govuk-label--s" for="id_{name}">' in html
    assert 'class="govuk-select" id="id_sort"' in html or 'id="id_sort" class="govuk-select"' in html
    assert "Nobody in your team holds a task." in html

    response = client.get(INBOX, {"due": "someday"})
    assert response.status_code == 400
    summary = response.content.decode().split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_due"' in summary


def test_pages_of_the_inbox_are_numbered(client, people, permit_service):
    for _ in range(26):
        cases.submitted(people.citizen)
    client.force_login(people.clerk)
    html = _page(client, INBOX, page=2)
    pagination = html.split('<nav class="govuk-pagination"', 1)[1].split("</nav>", 1)[0]
    assert 'aria-label="Page 1"' in pagination and 'aria-label="Page 2" aria-current="page"' in pagination
    assert 'rel="prev"' in pagination and 'rel="next"' not in pagination


# --- the task page ----------------------------------------------------------------------------------------------------

def _summary_list(html):
    """``{key: value}`` of the first summary list in ``html``."""
    listing = html.split('<dl class="govuk-summary-list', 1)[1].split("</dl>", 1)[0]
    return {_text(key): _text(value) for key, value in re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value[^"]*"[^>]*>(.*?)</dd>',
        listing, flags=re.S)}


def test_the_task_page_sets_out_the_tasks_facts_under_breadcrumbs(client, people, permit_service):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(people.clerk)
    html = _page(client, reverse("workflows:task", args=[task.pk]))

    case_url = reverse("eservices:application", args=[application.pk])
    crumbs = html.split('<nav class="govuk-breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", crumbs)] == [
        "Inbox", application.reference, "Completeness check"]
    assert f'href="{INBOX}"' in crumbs and f'href="{case_url}"' in crumbs
    assert '<li class="govuk-breadcrumbs__list-item" aria-current="page">Completeness check</li>' in crumbs
    assert f"<title>Completeness check – {application.reference} – " in html

    due = timezone.localtime(task.sla_clock.due_at)
    facts = _summary_list(html)
    assert facts["Case"] == application.reference
    assert facts["Status"] == "Assigned" and facts["Holder"] == "Dilnoza Clerk"
    assert facts["Deadline"] == f"{due:%Y-%m-%d %H:%M} On time"
    assert facts["Legal deadline"].endswith("On time")
    assert facts["Process"].startswith("This case runs on version 1 of its process.")
    assert '<button type="submit" class="govuk-button" data-module="govuk-button">Complete</button>' in html


def _review(client, application, step, reviewer, favourable, comment):
    client.force_login(reviewer)
    cases.claim_and_complete(client, cases.open_task(application, step),
                             favourable="yes" if favourable else "no", comment=comment)


def _cards(html):
    """``{card title: {key: value}}`` of the page's summary cards."""
    cards = {}
    for card in re.split(r'<div class="govuk-summary-card[ "]', html)[1:]:
        title = _text(re.search(r'<h3 class="govuk-summary-card__title">(.*?)</h3>', card, flags=re.S).group(1))
        cards[title] = _summary_list(card)
    return cards


def test_the_head_reads_every_reviews_opinion_and_comment_on_the_decision_page(client, people, permit_service):
    application = cases.in_review(people.citizen, people.clerk)
    _review(client, application, "review_architecture", people.clerk, True, "The facade matches the street.")
    _review(client, application, "review_fire_safety", people.fire, False, "No second stair on the 4th floor.")
    _review(client, application, "review_environment", people.environment, True, "")
    decision = cases.open_task(application, "decision")
    finished = {step: timezone.localtime(Task.objects.get(process_id=application.process_id,
                                                                 flow_task__endswith=step).finished)
                for step in ("review_architecture", "review_fire_safety", "review_environment")}

    client.force_login(people.supervisor)
    url = reverse("workflows:task", args=[decision.pk])
    expected = {
        "Architecture review": {"Opinion": "Favourable", "Comment": "The facade matches the street.",
                                "Reviewer": "Dilnoza Clerk",
                                "Reviewed on": f"{finished['review_architecture']:%Y-%m-%d %H:%M}"},
        "Fire safety review": {"Opinion": "Unfavourable", "Comment": "No second stair on the 4th floor.",
                               "Reviewer": "Farrukh Fire",
                               "Reviewed on": f"{finished['review_fire_safety']:%Y-%m-%d %H:%M}"},
        "Environmental review": {"Opinion": "Favourable", "Comment": "No comment", "Reviewer": "Gulnora Environment",
                                 "Reviewed on": f"{finished['review_environment']:%Y-%m-%d %H:%M}"},
    }
    html = _page(client, url)
    assert _cards(html) == expected
    assert '<strong class="govuk-tag govuk-tag--red">Unfavourable</strong>' in html

    # Once the head holds the task, the reviews stand above the decision they take on the same page.
    assert client.post(reverse("workflows:claim", args=[decision.pk])).status_code == 302
    html = _page(client, url)
    assert _cards(html) == expected
    assert html.index('id="reviews-heading"') < html.index('id="task-form"')
    assert 'name="approve"' in html.split('id="task-form"', 1)[1]


def test_a_clerk_who_cannot_decide_cannot_take_the_decision_and_other_departments_cannot_open_it(
        client, people, permit_service):
    application = cases.reviewed(people.citizen, people)
    decision = cases.open_task(application, "decision")
    url = reverse("workflows:task", args=[decision.pk])

    client.force_login(people.clerk)  # of the head's department: reads the page, takes nothing
    assert application.reference not in _page(client, INBOX)
    html = _page(client, url)
    assert 'id="task-form"' not in html and reverse("workflows:claim", args=[decision.pk]) not in html
    response = client.post(reverse("workflows:claim", args=[decision.pk]))
    assert response.status_code == 403
    assert "Only the head of the department can take this step." in response.content.decode()
    assert client.post(url, {"approve": "yes"}).status_code == 403
    decision.refresh_from_db()
    assert decision.status == "NEW" and decision.owner_id is None

    client.force_login(people.fire)  # another department's clerk
    assert client.get(url).status_code == 404


# --- the audit pages --------------------------------------------------------------------------------------------------

def _trail_links(html):
    """``{label: url}`` of the audit search's results."""
    table = html.split('<table class="govuk-table trails">', 1)[1].split("</table>", 1)[0]
    return {_text(label): url for url, label in re.findall(r'<a class="govuk-link" href="([^"]+)">(.*?)</a>', table)}


def test_the_audit_pages_name_a_case_by_its_reference_and_a_draft_in_words_never_by_its_number(
        client, people, permit_service):
    filed = cases.draft(people.citizen)  # saved as a draft first: its first events were recorded as "Draft #<pk>"
    services.application_submit(actor=people.citizen, application=filed, data=PERMIT_DATA, files=permit_files())
    filed.refresh_from_db()
    with translation.override("ru"):  # a draft saved in Russian was recorded as "Черновик № <pk>"
        draft = cases.draft(people.citizen)
    deleted = cases.draft(people.other_citizen)
    services.application_delete_draft(actor=people.other_citizen, application=deleted)
    numbers = [f"Draft #{pk}" for pk in (filed.pk, draft.pk, deleted.pk)] + [f"Черновик № {draft.pk}"]
    assert AuditEvent.objects.filter(object_label__startswith=f"Draft #{filed.pk}").count() == 2  # the draft, its file
    assert AuditEvent.objects.filter(object_label__startswith=f"Черновик № {draft.pk}").exists()

    client.force_login(people.auditor)
    search = _page(client, reverse("audit:search"))
    links = _trail_links(search)
    assert {filed.reference, "Building permit — draft, not yet submitted",
            "Building permit — draft, deleted before it was submitted"} <= set(links)
    assert links[filed.reference] == reverse("audit:trail", args=[f"eservices.application:{filed.pk}"])
    for html in (search, _page(client, links[filed.reference]),
                 _page(client, links["Building permit — draft, not yet submitted"]),
                 _page(client, links["Building permit — draft, deleted before it was submitted"])):
        assert not any(number in html for number in numbers)

    trail = _page(client, links[filed.reference])
    assert f"<h1 class=\"govuk-heading-l\">Audit trail: {filed.reference}</h1>" in trail
    assert f"Aziza Citizen saved the draft {filed.reference} (service version 1)." in trail
    assert f"{filed.reference} — Site plan v1" in trail  # the file attached to the draft, named by the case's reference
    trail = _page(client, links["Building permit — draft, not yet submitted"])
    assert "Aziza Citizen saved the draft Building permit — draft, not yet submitted" in trail
    assert _page(client, reverse("audit:search"), q=filed.reference).count(f">{filed.reference}</a>") == 1
