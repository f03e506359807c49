"""The clerk and supervisor inbox: queue, my tasks, team tasks, deadlines,
claim / release / reassign — each audited."""

import datetime

from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from eservices.services import application_apply

from .cases import open_task, set_deadline
from .factories import PERMIT_DATA, permit_files


def _row_of(html, reference):
    """The inbox table's row of the case ``reference``."""
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    [row] = [row for row in body.split("</tr>") if f">{reference}</a>" in row]
    return row


def _submit(people, permit_service):
    return application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                             files=permit_files())


def test_queue_lists_department_tasks_and_claiming_moves_them_to_my_tasks(client, people, permit_service):
    application = _submit(people, permit_service)
    client.force_login(people.clerk)
    queue = client.get(reverse("workflows:inbox")).content.decode()
    assert application.reference in queue and "Completeness check" in queue

    # Other departments don't see it.
    client.force_login(people.fire)
    assert application.reference not in client.get(reverse("workflows:inbox")).content.decode()

    client.force_login(people.clerk)
    task = open_task(application, "check_completeness")
    client.post(reverse("workflows:claim", args=[task.pk]))
    assert application.reference not in client.get(reverse("workflows:inbox")).content.decode()
    mine = client.get(reverse("workflows:inbox"), {"tab": "mine"}).content.decode()
    assert application.reference in mine
    client.force_login(people.clerk2)
    assert "The queue is empty." in client.get(reverse("workflows:inbox")).content.decode()


def test_overdue_tasks_stand_out(client, people, permit_service):
    application = _submit(people, permit_service)
    set_deadline(application, timezone.now() - datetime.timedelta(hours=1))
    client.force_login(people.clerk)
    html = client.get(reverse("workflows:inbox")).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red munis-clock">Overdue</strong>' in _row_of(html, application.reference)


def test_a_row_links_its_task_and_claim_and_shows_its_due_day_in_local_time(client, people, permit_service,
                                                                             settings):
    settings.TIME_ZONE = "Asia/Tashkent"
    application = _submit(people, permit_service)
    task = open_task(application, "check_completeness")
    due = timezone.now().replace(hour=20, minute=30, second=0, microsecond=0) + datetime.timedelta(days=3)
    set_deadline(application, due)  # 20:30 UTC: the next day in Tashkent (UTC+5)
    local = timezone.localtime(due)
    assert local.date() != due.date()
    client.force_login(people.supervisor)
    html = client.get(reverse("workflows:inbox")).content.decode()
    assert f'<a class="govuk-link" href="{reverse("workflows:task", args=[task.pk])}">{application.reference}</a>' in html
    assert f'<form method="post" action="{reverse("workflows:claim", args=[task.pk])}">' in html
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d}</time>' in html
    assert f'id="select-{task.pk}" name="tasks" value="{task.pk}" form="bulk-reassign">' in html
    assert (f'<label class="govuk-label govuk-checkboxes__label" for="select-{task.pk}"><span class="govuk-visually-hidden">'
            f'Select {application.reference}</span></label>') in html


def test_decision_goes_only_to_the_head(client, people, permit_service):
    application = _submit(people, permit_service)
    client.force_login(people.clerk)
    for step, who in [("check_completeness", people.clerk), ("review_architecture", people.clerk),
                      ("review_fire_safety", people.fire), ("review_environment", people.environment)]:
        client.force_login(who)
        task = open_task(application, step)
        client.post(reverse("workflows:claim", args=[task.pk]))
        form = {"complete": "yes"} if step == "check_completeness" else {"favourable": "yes"}
        client.post(reverse("workflows:task", args=[task.pk]), form)
    decision = open_task(application, "decision")
    client.force_login(people.clerk)
    assert application.reference not in client.get(reverse("workflows:inbox")).content.decode()
    assert client.post(reverse("workflows:claim", args=[decision.pk])).status_code == 403
    client.force_login(people.supervisor)
    assert application.reference in client.get(reverse("workflows:inbox")).content.decode()


def test_supervisor_reassigns_a_held_task_and_it_is_audited(client, people, permit_service):
    application = _submit(people, permit_service)
    task = open_task(application, "check_completeness")
    client.force_login(people.clerk)
    client.post(reverse("workflows:claim", args=[task.pk]))

    # A clerk cannot reassign.
    assert client.post(reverse("workflows:reassign", args=[task.pk]), {"assignee": people.clerk2.pk}).status_code == 403

    client.force_login(people.supervisor)
    team = client.get(reverse("workflows:inbox"), {"tab": "team"}).content.decode()
    assert application.reference in team and people.clerk.full_name in team
    # Only department staff can receive it.
    response = client.post(reverse("workflows:reassign", args=[task.pk]), {"assignee": people.fire.pk})
    assert response.status_code == 400
    response = client.post(reverse("workflows:reassign", args=[task.pk]), {"assignee": people.clerk2.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == people.clerk2
    event = AuditEvent.objects.get(action="workflows.task.reassign")
    assert event.actor == people.supervisor
    assert event.before["owner"] == people.clerk.pk and event.after["owner"] == people.clerk2.pk


def test_clerk_releases_a_task_back_to_the_queue(client, people, permit_service):
    application = _submit(people, permit_service)
    task = open_task(application, "check_completeness")
    client.force_login(people.clerk)
    client.post(reverse("workflows:claim", args=[task.pk]))
    response = client.post(reverse("workflows:unclaim", args=[task.pk]))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "NEW" and task.owner is None
    assert AuditEvent.objects.filter(action="workflows.task.unclaim", actor=people.clerk).count() == 1
    client.force_login(people.clerk2)
    assert application.reference in client.get(reverse("workflows:inbox")).content.decode()


def test_inbox_query_count_does_not_grow_with_rows(client, people, permit_service, django_assert_max_num_queries):
    for _ in range(3):
        _submit(people, permit_service)
    client.force_login(people.clerk)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("workflows:inbox"))
    for _ in range(12):
        _submit(people, permit_service)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(reverse("workflows:inbox")).content.decode()
    assert html.count("Completeness check") == 15
