"""The staff workspace as staff read it: each inbox row says whose case it is, since when it waits, which step,
who holds it and how its clock stands; the task page sets out the task's facts under breadcrumbs; the head who
decides reads every review's opinion and comment on the decision page."""

import datetime
import html as html_module
import re

from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation

from . import cases
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
