"""The inbox reads its own table of open tasks: a row appears when a task
opens, follows it through claim and reassignment, and goes when it is done;
the case's reference, applicant, service and district are copied onto it and
kept up to date; ``rebuild_inbox`` finds and repairs rows out of step."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from viewflow.workflow.status import STATUS

from eservices import services
from workflows import open_tasks
from workflows.models import OpenTask, TaskClock

from . import cases

INBOX = reverse("workflows:inbox")


def _row(application, step):
    return OpenTask.objects.get(task=cases.open_task(application, step))


def test_a_task_has_its_inbox_row_from_opening_until_it_is_done(people, permit_service):
    application = cases.submitted(people.citizen)
    task = cases.open_task(application, "check_completeness")
    row = _row(application, "check_completeness")
    assert row.status == STATUS.NEW and row.owner_id is None
    assert row.department_id == int(task.owner_permission_obj_pk)
    assert row.service == "building-permit"
    assert application.reference in row.search and people.citizen.full_name.upper() in row.search
    assert row.due_at == TaskClock.objects.get(task=task).due_at

    cases.claimed(application, "check_completeness", people.clerk)
    row.refresh_from_db()
    assert (row.status, row.owner_id) == (STATUS.ASSIGNED, people.clerk.pk)

    services.permit_check_completeness(task=cases.open_task(application, "check_completeness"), actor=people.clerk,
                                       data={"complete": True, "comment": ""})
    assert not OpenTask.objects.filter(task=task).exists()
    reviews = OpenTask.objects.filter(process_id=application.process_id)
    assert reviews.count() == 3 and set(reviews.values_list("status", flat=True)) == {STATUS.NEW}
    assert open_tasks.out_of_step() == []


def test_an_applicant_who_changes_their_name_is_found_under_the_new_one(client, people, permit_service):
    application = cases.submitted(people.citizen)
    people.citizen.full_name = "Aziza Rahimova"
    people.citizen.save()

    client.force_login(people.clerk)
    html = client.get(INBOX, {"q": "rahimova"}).content.decode()
    assert application.reference in html
    assert application.reference not in client.get(INBOX, {"q": "citizen"}).content.decode()


def test_rebuild_inbox_reports_rows_out_of_step_and_repairs_them(client, people, permit_service):
    lost = cases.submitted(people.citizen)
    stale = cases.submitted(people.other_citizen)
    lost_task = cases.open_task(lost, "check_completeness")
    OpenTask.objects.filter(task=lost_task).delete()  # as a restore that bypassed the application would
    OpenTask.objects.filter(process_id=stale.process_id).update(status=STATUS.DONE)

    client.force_login(people.clerk)
    assert lost.reference not in client.get(INBOX).content.decode()
    with pytest.raises(CommandError, match=r"2 inbox row\(s\) out of step"):
        call_command("rebuild_inbox", "--check")

    call_command("rebuild_inbox")
    call_command("rebuild_inbox", "--check")
    html = client.get(INBOX).content.decode()
    assert lost.reference in html and stale.reference in html
