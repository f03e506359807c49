"""The inbox at scale: overdue tab, filters, search, sort, pagination with the
filters kept, a constant number of queries per page, bulk reassign by a
supervisor, and standing in for an absent colleague."""

import datetime
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from core.models import AuditEvent
from core.outbox import outbox_deliver_due
from workflows.models import Delegation, TaskClock
from workflows.timers import run_due_timers

from . import cases
from .factories import UserFactory

INBOX = reverse("workflows:inbox")


def _page(client, **params):
    response = client.get(INBOX, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


def _overdue(application, step="check_completeness", hours=1):
    cases.set_deadline(application, timezone.now() - datetime.timedelta(hours=hours), step=step)


def _references(html):
    return list(dict.fromkeys(re.findall(r"BP-\d{4}-\d{6}", html)))  # each row names its case twice


def test_overdue_tab_lists_late_tasks_held_or_not_and_nothing_on_time(client, people, permit_service):
    late_unclaimed = cases.submitted(people.citizen)
    late_held = cases.submitted(people.citizen)
    on_time = cases.submitted(people.citizen)
    cases.claimed(late_held, "check_completeness", people.clerk2)
    _overdue(late_unclaimed)
    _overdue(late_held)

    client.force_login(people.supervisor)
    html = _page(client, tab="overdue")
    assert late_unclaimed.reference in html and late_held.reference in html
    assert on_time.reference not in html
    assert "Erkin Clerk" in html  # who holds the late one

    client.force_login(people.fire)  # another department sees none of it
    assert "Nothing is overdue." in _page(client, tab="overdue")


def test_search_finds_a_case_by_part_of_its_reference_or_the_applicant_name(client, people, permit_service):
    aziza = cases.submitted(people.citizen)
    bekzod = cases.submitted(people.other_citizen)
    client.force_login(people.clerk)

    assert _references(_page(client, q="neighbour")) == [bekzod.reference]
    assert _references(_page(client, q=aziza.reference[-4:])) == [aziza.reference]
    assert _references(_page(client, q="aziza citizen")) == [aziza.reference]  # every word must match
    html = _page(client, q="nobody-called-this")
    assert "No task matches these filters." in html


def test_filters_by_status_due_and_service_and_sorts_by_due_date(client, people, permit_service):
    first, second, third = (cases.submitted(people.citizen) for _ in range(3))
    cases.claimed(second, "check_completeness", people.clerk)
    cases.set_deadline(first, timezone.now() + datetime.timedelta(days=5))
    cases.set_deadline(third, timezone.now() + datetime.timedelta(hours=3))
    _overdue(second)
    client.force_login(people.supervisor)

    assert _references(_page(client, tab="overdue", status=STATUS.ASSIGNED)) == [second.reference]
    assert _references(_page(client, due="day")) == [third.reference]
    assert _references(_page(client, due="week", sort="-due")) == [first.reference, third.reference]
    assert _references(_page(client, sort="due")) == [third.reference, first.reference]
    assert _references(_page(client, service="building-permit")) == [first.reference, third.reference]


@pytest.mark.parametrize("params", [{"due": "someday"}, {"sort": "random"}, {"status": "DONE"},
                                    {"district": "999999"}, {"q": "x" * 101},
                                    {"service": "no-such-service"}])
def test_a_filter_the_inbox_does_not_offer_is_a_400_with_a_message(client, people, permit_service, params):
    client.force_login(people.clerk)
    response = client.get(INBOX, params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_next_page_keeps_the_filters_and_the_tab(client, people, permit_service):
    for _ in range(26):
        cases.submitted(people.citizen)
    client.force_login(people.clerk)
    html = _page(client, tab="queue", q="BP-", sort="newest")
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "q=BP-" in next_link and "sort=newest" in next_link and "tab=queue" in next_link and "page=2" in next_link
    assert len(_references(client.get(INBOX + next_link).content.decode())) == 1


def test_a_page_costs_the_same_queries_for_three_tasks_or_thirty(client, people, permit_service):
    client.force_login(people.supervisor)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            _page(client, **params)
        return len(captured)

    for _ in range(3):
        _overdue(cases.submitted(people.citizen))
    cases.claimed(cases.submitted(people.citizen), "check_completeness", people.clerk)
    small = {tab: queries(tab=tab, sort="due") for tab in ("queue", "overdue", "team")}
    for _ in range(26):
        application = cases.submitted(people.citizen)
        _overdue(application)
        cases.claimed(application, "check_completeness", people.clerk)
    large = {tab: queries(tab=tab, sort="due") for tab in ("queue", "overdue", "team")}
    assert large == small


# --- bulk reassign --------------------------------------------------------------------

def _bulk(client, tasks, assignee, **extra):
    return client.post(reverse("workflows:inbox_reassign"),
                       {"tasks": [t.pk for t in tasks], "assignee": assignee.pk, **extra})


def test_a_supervisor_reassigns_ticked_tasks_to_one_clerk_each_audited(client, people, permit_service):
    applications = [cases.submitted(people.citizen) for _ in range(3)]
    tasks = [cases.claimed(a, "check_completeness", people.clerk) for a in applications[:2]]
    tasks.append(cases.open_task(applications[2], "check_completeness"))  # still unclaimed
    client.force_login(people.supervisor)

    response = _bulk(client, tasks, people.clerk2, next=INBOX + "?tab=team")
    assert response.status_code == 302 and response["Location"] == INBOX + "?tab=team"
    assert "3 tasks reassigned to Erkin Clerk." in _page(client, tab="team")
    for task in tasks:
        task.refresh_from_db()
        assert task.owner_id == people.clerk2.pk and task.status == STATUS.ASSIGNED
    events = AuditEvent.objects.filter(action="workflows.task.reassign", actor=people.supervisor)
    assert events.count() == 3


def test_bulk_reassign_is_all_or_nothing(client, people, permit_service):
    ours = cases.claimed(cases.submitted(people.citizen), "check_completeness", people.clerk)
    fire_review = cases.open_task(cases.in_review(people.citizen, people.clerk), "review_fire_safety")
    client.force_login(people.supervisor)

    # A task of a department they don't supervise is not theirs to move.
    response = _bulk(client, [ours, fire_review], people.clerk2)
    assert response.status_code == 400 and "No task was reassigned" in response.content.decode()
    ours.refresh_from_db()
    assert ours.owner_id == people.clerk.pk

    # Nor may a clerk bulk-reassign at all.
    client.force_login(people.clerk)
    assert _bulk(client, [ours], people.clerk2).status_code == 403
    assert not AuditEvent.objects.filter(action="workflows.task.reassign").exists()


def test_bulk_reassign_to_someone_who_cannot_take_one_of_the_tasks_changes_none(client, people, permit_service):
    review = cases.reviewed(people.citizen, people)
    decision = cases.open_task(review, "decision")  # a head's step
    plain = cases.open_task(cases.submitted(people.citizen), "check_completeness")
    client.force_login(people.supervisor)
    response = _bulk(client, [plain, decision], people.clerk2)
    assert response.status_code == 409
    assert "does not work in this department" in response.content.decode() or "head" in response.content.decode()
    plain.refresh_from_db()
    assert plain.owner_id is None


# --- delegation while absent ------------------------------------------------------------

def _name_substitute(client, substitute, start, end, reason="Annual leave"):
    return client.post(reverse("workflows:delegations"), {
        "substitute": substitute.pk, "starts_on": start.isoformat(), "ends_on": end.isoformat(), "reason": reason})


def test_a_substitute_sees_and_completes_the_absent_clerks_tasks(client, people, permit_service,
                                                                 django_capture_on_commit_callbacks):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    outbox_deliver_due()  # the submission's own mail goes out first
    mail.outbox.clear()
    today = timezone.localdate()
    client.force_login(people.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _name_substitute(client, people.clerk2, today, today + datetime.timedelta(days=5))
    assert response.status_code == 302
    outbox_deliver_due()
    [notice] = mail.outbox
    assert notice.to == [people.clerk2.email] and "You stand in for Dilnoza Clerk" in notice.subject

    client.force_login(people.clerk2)
    html = _page(client, tab="mine")
    assert application.reference in html and "(you stand in)" in html
    response = client.post(reverse("workflows:task", args=[task.pk]), {"complete": "yes", "comment": "Fine."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "in_review"
    event = AuditEvent.objects.filter(action="eservices.application.check_completeness").latest("id")
    assert event.actor_id == people.clerk2.pk and event.after["on_behalf_of"] == people.clerk.pk
    assert AuditEvent.objects.filter(action="workflows.delegation.create", actor=people.clerk).count() == 1


def test_a_withdrawn_or_future_substitute_sees_nothing(client, people, permit_service):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    today = timezone.localdate()
    client.force_login(people.clerk)
    _name_substitute(client, people.clerk2, today + datetime.timedelta(days=3), today + datetime.timedelta(days=5))
    client.force_login(people.clerk2)
    assert application.reference not in _page(client, tab="mine")
    assert client.post(reverse("workflows:task", args=[task.pk]), {"complete": "yes"}).status_code == 403

    client.force_login(people.clerk)
    delegation = Delegation.objects.get()
    assert client.post(reverse("workflows:delegation_revoke", args=[delegation.pk])).status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    assert AuditEvent.objects.filter(action="workflows.delegation.revoke").count() == 1
    client.force_login(people.clerk2)  # not theirs to withdraw
    assert client.post(reverse("workflows:delegation_revoke", args=[delegation.pk])).status_code == 404


def test_naming_a_substitute_refuses_bad_periods_and_strangers(client, people, permit_service):
    today = timezone.localdate()
    client.force_login(people.clerk)
    cases_ = [
        (people.clerk2, today, today - datetime.timedelta(days=1), "cannot end before it starts"),
        (people.clerk2, today - datetime.timedelta(days=9), today - datetime.timedelta(days=2), "already over"),
        (people.fire, today, today, "Select a valid choice"),  # another department
        (people.clerk, today, today, "Select a valid choice"),  # oneself
    ]
    for substitute, start, end, message in cases_:
        response = _name_substitute(client, substitute, start, end)
        assert response.status_code == 400 and message in response.content.decode(), message
    assert _name_substitute(client, people.clerk2, today, today + datetime.timedelta(days=2)).status_code == 302
    response = _name_substitute(client, people.supervisor, today + datetime.timedelta(days=1),
                                today + datetime.timedelta(days=4))
    assert response.status_code == 400 and "already have a substitute" in response.content.decode()
    assert Delegation.objects.count() == 1


def test_a_reminder_for_an_absent_clerk_reaches_the_substitute(people, permit_service,
                                                               django_capture_on_commit_callbacks):
    application = cases.submitted(people.citizen)
    cases.claimed(application, "check_completeness", people.clerk)
    today = timezone.localdate()
    Delegation.objects.create(absent=people.clerk, substitute=people.clerk2, starts_on=today, ends_on=today)
    TaskClock.objects.filter(process_id=application.process_id).update(
        remind_at=timezone.now() - datetime.timedelta(minutes=1))
    outbox_deliver_due()  # the submission's own mail goes out first
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_due_timers()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people.clerk.email, people.clerk2.email])


def test_a_retried_claim_is_not_an_error(client, people, permit_service):
    task = cases.open_task(cases.submitted(people.citizen), "check_completeness")
    client.force_login(people.clerk)
    first = client.post(reverse("workflows:claim", args=[task.pk]))
    again = client.post(reverse("workflows:claim", args=[task.pk]))
    assert first.status_code == again.status_code == 302
    assert AuditEvent.objects.filter(action="workflows.task.claim").count() == 1


def test_the_delegation_page_needs_a_staff_member(client, people, permit_service):
    client.force_login(people.citizen)
    assert client.get(reverse("workflows:delegations")).status_code == 403
    client.force_login(UserFactory())
    assert client.get(reverse("workflows:delegations")).status_code == 403
    client.force_login(people.clerk)
    html = client.get(reverse("workflows:delegations")).content.decode()
    assert "You have not named a substitute" in html and "Erkin Clerk" in html and "Farrukh Fire" not in html


# --- retried posts ---------------------------------------------------------------------

def _form_key(html, action):
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    return re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)


def test_a_completion_sent_twice_is_done_once_and_answered_like_the_first(client, people, permit_service):
    application = cases.submitted(people.citizen)
    task = cases.claimed(application, "check_completeness", people.clerk)
    client.force_login(people.clerk)
    url = reverse("workflows:task", args=[task.pk])
    key = re.search(r'id="task-form">.*?name="idempotency_key" value="([^"]+)"',
                    client.get(url).content.decode(), re.S).group(1)
    form = {"complete": "yes", "comment": "All there.", "idempotency_key": key}

    first = client.post(url, form)
    again = client.post(url, form)  # the browser resends after a dropped connection
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert "nothing was done a second time" in client.get(again["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="eservices.application.check_completeness").count() == 1

    # Without the key a second completion is refused as before (the task is finished).
    assert client.post(url, {"complete": "yes"}).status_code in (403, 409)


def test_a_failed_post_leaves_no_key_so_the_corrected_form_goes_through(client, people, permit_service):
    first, second = (cases.claimed(cases.submitted(people.citizen), "check_completeness", people.clerk)
                     for _ in range(2))
    client.force_login(people.supervisor)
    html = _page(client, tab="team")
    key = _form_key(html, reverse("workflows:inbox_reassign"))
    url = reverse("workflows:inbox_reassign")
    assert client.post(url, {"tasks": [first.pk], "idempotency_key": key}).status_code == 400  # no assignee
    response = client.post(url, {"tasks": [first.pk, second.pk], "assignee": people.clerk2.pk,
                                 "idempotency_key": key})
    assert response.status_code == 302
    assert client.post(url, {"tasks": [first.pk, second.pk], "assignee": people.clerk2.pk,
                             "idempotency_key": key}).status_code == 302
    assert AuditEvent.objects.filter(action="workflows.task.reassign").count() == 2


# --- district -------------------------------------------------------------------------------------------

def test_the_citizen_names_the_district_and_the_inbox_filters_by_it(client, people, permit_service):
    from accounts.models import Organisation

    region = Organisation.objects.create(code="region", name="Tashkent City", kind=Organisation.Kind.REGION)
    yunusabad, chilanzar = (
        Organisation.objects.create(code=code, name=name, kind=Organisation.Kind.DISTRICT, parent=region)
        for code, name in (("yunusabad", "Yunusabad District"), ("chilanzar", "Chilanzar District")))
    client.force_login(people.citizen)
    apply_url = reverse("eservices:apply", args=["building-permit"])
    form = client.get(apply_url).content.decode()
    assert "Chilanzar District" in form and 'name="district"' in form
    from .test_bad_input import apply_payload

    assert client.post(apply_url, {**apply_payload(), "district": chilanzar.pk}).status_code == 302
    in_chilanzar = people.citizen.applications.get()
    assert in_chilanzar.district == chilanzar
    elsewhere = cases.submitted(people.citizen)

    client.force_login(people.clerk)
    assert _references(_page(client, district=chilanzar.pk)) == [in_chilanzar.reference]
    assert _references(_page(client, district=yunusabad.pk)) == []
    assert elsewhere.reference in _page(client)
    task = cases.open_task(in_chilanzar, "check_completeness")
    assert "Chilanzar District" in client.get(reverse("workflows:task", args=[task.pk])).content.decode()


def test_the_catalog_says_since_when_a_service_is_in_force_without_its_internal_version_numbers(
        client, permit_service):
    html = client.get(reverse("eservices:catalog")).content.decode()
    assert "In force since" in html
    assert "process version" not in html and "Version 1" not in html


def test_a_long_list_is_paged_up_to_the_cap_and_says_there_are_more(client, people, permit_service, monkeypatch):
    from workflows.selectors import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for _ in range(5):
        cases.submitted(people.citizen)
    client.force_login(people.clerk)
    html = _page(client)
    assert len(_references(html)) == 3
    assert "More than 3 tasks match: the first 3 are listed." in html
    monkeypatch.setattr(CappedPaginator, "cap", 5)
    html = _page(client)
    assert len(_references(html)) == 5 and "More than" not in html
