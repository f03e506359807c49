"""The inbox reads its own table of open tasks: a row appears when a task
opens, follows it through claim and reassignment, and goes when it is done;
the case's reference, applicant, service and district are copied onto it and
kept up to date; ``rebuild_inbox`` finds and repairs rows out of step."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from viewflow.workflow.models import Process
from viewflow.workflow.signals import flow_started
from viewflow.workflow.status import STATUS

from accounts.models import Organisation
from core.models import AuditEvent
from documents.models import Document
from eservices import services
from eservices.models import Application
from permits import services as permits
from workflows import open_tasks
from workflows.models import OpenTask, TaskClock

from . import cases
from .factories import PERMIT_DATA, OrganisationFactory, permit_files

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
    assert (row.reference, row.applicant, row.submitted_at) == (
        application.reference, people.citizen.full_name, application.submitted_at)
    assert row.due_at == TaskClock.objects.get(task=task).due_at

    cases.claimed(application, "check_completeness", people.clerk)
    row.refresh_from_db()
    assert (row.status, row.owner_id) == (STATUS.ASSIGNED, people.clerk.pk)

    permits.permit_check_completeness(task=cases.open_task(application, "check_completeness"), actor=people.clerk,
                                       data={"complete": True, "comment": ""})
    assert not OpenTask.objects.filter(task=task).exists()
    reviews = OpenTask.objects.filter(process_id=application.process_id)
    assert reviews.count() == 3 and set(reviews.values_list("status", flat=True)) == {STATUS.NEW}
    assert open_tasks.out_of_step() == []


def test_an_applicant_who_changes_their_name_is_found_under_the_new_one(client, people, permit_service):
    application = cases.submitted(people.citizen)
    people.citizen.full_name = "Aziza Rahimova"
    people.citizen.save()

    assert _row(application, "check_completeness").applicant == "Aziza Rahimova"
    client.force_login(people.clerk)
    html = client.get(INBOX, {"q": "rahimova"}).content.decode()
    assert application.reference in html and "Aziza Rahimova" in html
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


def test_a_submitted_permit_is_in_its_districts_queue_under_its_reference_at_a_fixed_cost(
        client, people, permit_service, django_assert_num_queries, django_capture_on_commit_callbacks):
    """The new case's inbox row is written once, from the case in memory:
    reference, applicant, service, district and due date, no read-back."""
    district = OrganisationFactory(code="district-yunusabad", name="Yunusabad", kind=Organisation.Kind.DISTRICT)
    with django_capture_on_commit_callbacks(execute=True):  # as its commit would, it warms the caches
        cases.submitted(people.other_citizen)  # catalog, calendars, document classes, reference counter
    client.force_login(people.citizen)
    apply_url = reverse("eservices:apply", args=["building-permit"])
    assert client.get(apply_url).status_code == 200  # the citizen opens the form first
    form = {**PERMIT_DATA, "district": district.pk, "action": "submit",
            **{f"doc_{code}": upload for code, upload in permit_files().items()}}
    # session and user (2); the district chosen (1); the case, its three documents with their row versions and their
    # first versions (4); the claim on their blobs, so the blob sweeper leaves them alone until the commit (1);
    # the flow: process, two tasks, case clock, task clock, inbox row, task link (7; the process was created in
    # this transaction, so it needs no row lock); the reference number, the case's reference and its row
    # version, the inbox row's reference (4); the audit chain (2 on PostgreSQL: read the head, then insert the events
    # and move the head in one statement; 3 elsewhere); the savepoint the submission's transaction is in a test (2;
    # the flow starts without one of its own, workflows.flows.CaseStartActivation); the applicant's e-mail into the
    # outbox (1)
    with django_assert_num_queries(24 if connection.vendor == "postgresql" else 25):
        response = client.post(apply_url, form)
    assert response.status_code == 302

    application = Application.objects.get(applicant=people.citizen)
    row = _row(application, "check_completeness")
    assert (row.district_id, row.service) == (district.pk, "building-permit")
    assert row.search == f"{application.reference} {people.citizen.full_name}".upper()
    assert (row.reference, row.applicant, row.submitted_at) == (
        application.reference, people.citizen.full_name, application.submitted_at)
    assert row.due_at == TaskClock.objects.get(task_id=row.task_id).due_at
    assert open_tasks.out_of_step() == []

    client.force_login(people.clerk)
    html = client.get(INBOX, {"district": district.pk}).content.decode()
    assert application.reference in html


def test_a_flow_that_fails_while_starting_leaves_no_case_process_document_or_audit_behind(people, permit_service):
    """The flow starts without a savepoint of its own: the submission's transaction undoes all of it."""
    def broken(**kwargs):
        raise RuntimeError("the case clock's calendar is unreadable")

    counts = (Application.objects.count(), Process.objects.count(), Document.objects.count(), AuditEvent.objects.count())
    flow_started.connect(broken, dispatch_uid="test-broken-start")
    try:
        with pytest.raises(RuntimeError, match="calendar is unreadable"):
            services.application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                                       files=permit_files())
    finally:
        flow_started.disconnect(dispatch_uid="test-broken-start")

    assert (Application.objects.count(), Process.objects.count(), Document.objects.count(),
            AuditEvent.objects.count()) == counts
    application = services.application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                                             files=permit_files())
    assert application.reference.endswith("-000001")  # the failed attempt took no number
