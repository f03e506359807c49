"""SLA clocks in working time: holidays, a case that waits on the applicant,
reminders, escalation and automatic steps fired by ``run_timers``."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.models import Task

from accounts.models import Organisation, Role
from core.models import AuditEvent
from core.outbox import outbox_deliver_due
from documents.models import Document
from eservices.models import Application
from eservices.services import application_apply
from workflows.models import CaseClock, Holiday, TaskClock
from workflows.sla import DAY, WorkingCalendar, calendar_for
from workflows.timers import run_due_timers

from .cases import check_completeness, claimed, open_task
from .factories import PERMIT_DATA, member, permit_files

TASHKENT = ZoneInfo("Asia/Tashkent")


def at(*args):
    return datetime.datetime(*args, tzinfo=TASHKENT)


def _submit(people, service):
    return application_apply(actor=people.citizen, service_type=service, data=PERMIT_DATA, files=permit_files())


def _task_clock(application, step):
    return TaskClock.objects.get(task=open_task(application, step))


# --- working-time arithmetic ------------------------------------------------------------

def test_working_time_skips_weekends_and_holidays():
    friday = at(2026, 12, 4, 10)
    plain = WorkingCalendar()
    assert plain.add_working_days(friday, 2) == at(2026, 12, 8, 10)  # Friday's 14 h, Monday, 10 h of Tuesday
    with_holiday = WorkingCalendar({datetime.date(2026, 12, 7)})
    assert with_holiday.add_working_days(friday, 2) == at(2026, 12, 9, 10)
    assert with_holiday.between(friday, at(2026, 12, 9, 10)) == 2 * DAY
    assert with_holiday.between(at(2026, 12, 9, 10), friday) == -2 * DAY
    assert plain.add(at(2026, 12, 5, 15), datetime.timedelta(hours=4)) == at(2026, 12, 7, 4)  # Saturday start


# --- holidays move real deadlines -----------------------------------------------------------

def test_a_city_hall_holiday_shifts_the_deadlines_of_its_cases(people, permit_service):
    with time_machine.travel(at(2026, 12, 4, 10), tick=False):
        before = _submit(people, permit_service)
        assert _task_clock(before, "check_completeness").due_at == at(2026, 12, 8, 10)

        Holiday.objects.create(organisation=Organisation.objects.get(code="city-hall"), date=datetime.date(2026, 12, 7),
                               name="Constitution Day (observed)")
        after = _submit(people, permit_service)
    assert _task_clock(after, "check_completeness").due_at == at(2026, 12, 9, 10)
    # The department sits under the city hall, so the case clock counts the holiday too.
    one_working_day_later = WorkingCalendar().add_working_days(CaseClock.objects.get(process=before.process).due_at, 1)
    assert CaseClock.objects.get(process=after.process).due_at == one_working_day_later


def test_an_operator_loads_the_public_holidays_of_a_year(people):
    call_command("load_public_holidays", "2031")
    city = Organisation.objects.get(code="city-hall")
    days = set(Holiday.objects.filter(organisation=city).values_list("date", flat=True))
    assert {datetime.date(2031, 1, 1), datetime.date(2031, 3, 21), datetime.date(2031, 9, 1)} <= days
    assert Holiday.objects.filter(organisation=Organisation.objects.get(code="ministry"), date__year=2031).count() == 7
    assert not Holiday.objects.filter(organisation__parent__isnull=False).exists()  # the trees below inherit them
    before = (Holiday.objects.count(), AuditEvent.objects.filter(action="workflows.holiday.import").count())
    call_command("load_public_holidays", "2031")  # again: nothing changes
    assert (Holiday.objects.count(), AuditEvent.objects.filter(action="workflows.holiday.import").count()) == before
    assert not calendar_for(Organisation.objects.get(code="dept-fire-safety").pk).is_working_day(
        datetime.date(2031, 1, 1))


def test_holidays_are_imported_from_a_yearly_list(tmp_path, people):
    listing = tmp_path / "holidays-2027.csv"
    listing.write_text("date,name\n2027-01-01,New Year\n2027-03-08,Women's Day\n2027-03-21,Navruz\n", encoding="utf-8")
    call_command("import_holidays", "city-hall", str(listing))
    call_command("import_holidays", "city-hall", str(listing))  # again: nothing doubles
    days = Holiday.objects.filter(organisation__code="city-hall").values_list("date", "name")
    assert sorted(days) == [(datetime.date(2027, 1, 1), "New Year"), (datetime.date(2027, 3, 8), "Women's Day"),
                            (datetime.date(2027, 3, 21), "Navruz")]
    assert AuditEvent.objects.filter(action="workflows.holiday.import").count() == 2


# --- the case clock stands still while the applicant has the case ---------------------------------

def test_a_case_waiting_on_the_citizen_does_not_accrue_sla_time(client, people, permit_service):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        application = _submit(people, permit_service)
        clock = CaseClock.objects.get(process=application.process)
        first_due = clock.due_at
        assert first_due == WorkingCalendar().add_working_days(at(2026, 12, 7, 9), 30)

        traveller.move_to(at(2026, 12, 8, 9))  # one working day later the clerk asks for a correction
        check_completeness(application, people.clerk, complete=False, comment="Sign the site plan.")
        clock.refresh_from_db()
        assert clock.state == "paused" and clock.due_at is None
        assert clock.remaining_when_paused == 29 * DAY
        client.force_login(people.citizen)
        page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
        assert "Paused — waiting for the applicant" in page

        traveller.move_to(at(2026, 12, 22, 9))  # two weeks (ten working days) later the citizen answers
        client.force_login(people.citizen)
        response = client.post(reverse("eservices:correction", args=[application.pk]),
                               {**PERMIT_DATA, "comment": "Signed."})
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == Application.Status.SUBMITTED
        clock.refresh_from_db()
    assert clock.paused_at is None
    assert clock.paused_total == 10 * DAY
    assert clock.due_at == first_due + datetime.timedelta(days=14)  # ten working days = two calendar weeks
    assert WorkingCalendar().between(at(2026, 12, 22, 9), clock.due_at) == 29 * DAY


# --- timers ---------------------------------------------------------------------------------------------

def test_a_reminder_goes_out_before_the_deadline_once(people, permit_service, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        application = _submit(people, permit_service)
        clock = _task_clock(application, "check_completeness")
        assert clock.remind_at == at(2026, 12, 8, 9)  # two working days, reminded one before
        outbox_deliver_due()  # the submission's own mail goes out first
        mail.outbox.clear()

        traveller.move_to(at(2026, 12, 8, 8, 59))
        assert run_due_timers().fired == 0

        traveller.move_to(at(2026, 12, 8, 9, 30))
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_timers().reminded == 1
        assert run_due_timers().fired == 0  # a second run fires nothing
    # Unclaimed: the department's staff are reminded.
    reminded = {message.to[0] for message in mail.outbox}
    assert {people.clerk.email, people.clerk2.email, people.supervisor.email} <= reminded
    assert people.fire.email not in reminded
    assert "Completeness check" in mail.outbox[0].subject
    event = AuditEvent.objects.get(action="workflows.task.remind")
    assert event.actor_id is None


def test_an_overdue_task_is_escalated_to_the_supervisors_once(people, permit_service, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        application = _submit(people, permit_service)
        claimed(application, "check_completeness", people.clerk)
        traveller.move_to(at(2026, 12, 9, 9, 1))
        outbox_deliver_due()  # the submission's own mail goes out first
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            run = run_due_timers()
        assert run.escalated == {"notify": 1} and run.reminded == 0
        assert run_due_timers().fired == 0
    assert [m.to for m in mail.outbox] == [[people.supervisor.email]]
    assert "Overdue" in mail.outbox[0].subject
    task = open_task(application, "check_completeness")
    assert task.owner == people.clerk  # notify leaves the task where it is
    event = AuditEvent.objects.get(action="workflows.task.escalate")
    assert event.after["outcome"] == "notify" and event.after["notified"] == [people.supervisor.pk]


def test_an_overdue_decision_is_reassigned_to_another_supervisor_and_audited(client, people, permit_service,
                                                                          django_capture_on_commit_callbacks):
    from .cases import reviewed

    deputy = member(people.supervisor.memberships.get().organisation, Role.SUPERVISOR, full_name="Zarina Deputy")
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        application = reviewed(people.citizen, people)
        claimed(application, "decision", people.supervisor)
        traveller.move_to(at(2026, 12, 10, 9, 1))  # three working days later
        outbox_deliver_due()  # the submission's own mail goes out first
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert run_due_timers().escalated == {"reassign": 1}
    task = open_task(application, "decision")
    assert task.owner == deputy
    assert [m.to for m in mail.outbox] == [[deputy.email]]
    event = AuditEvent.objects.get(action="workflows.task.escalate")
    assert event.before["owner"] == people.supervisor.pk and event.after["owner"] == deputy.pk
    assert event.after["outcome"] == "reassign"
    # The deputy holds it now: the decision form is theirs to fill in.
    client.force_login(deputy)
    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert 'id="task-form"' in page


def test_an_unanswered_correction_closes_the_case_automatically(client, people, permit_service,
                                                               django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        application = _submit(people, permit_service)
        check_completeness(application, people.clerk, complete=False, comment="Sign the site plan.")
        correction = open_task(application, "correction")
        assert TaskClock.objects.get(task=correction).due_at == at(2026, 12, 21, 9)
        outbox_deliver_due()  # the submission's own mail goes out first
        mail.outbox.clear()
        traveller.move_to(at(2026, 12, 21, 9, 1))
        with django_capture_on_commit_callbacks(execute=True):
            run = run_due_timers()
        client.force_login(people.citizen)
        page = client.get(reverse("eservices:application", args=[application.pk])).content.decode()
    assert "Closed — correction not answered in time" in page
    assert run.escalated == {"expire": 1}
    application.refresh_from_db()
    assert application.status == Application.Status.CLOSED
    assert application.process.status == "DONE"
    assert Task.objects.get(pk=correction.pk).status == "DONE"
    assert CaseClock.objects.get(process=application.process).stopped_at is not None
    actions = list(AuditEvent.objects.filter(action__in=["workflows.task.expire", "eservices.application.close_unanswered"])
                   .values_list("action", "actor_id"))
    assert actions == [("workflows.task.expire", None), ("eservices.application.close_unanswered", None)]
    assert [m.to for m in mail.outbox] == [[people.citizen.email]]
    # the closed case's documents are kept as closed cases' are: retention counts from the closing day
    outcomes = set(Document.objects.filter(case_id=str(application.pk)).values_list("outcome", "disposal_due"))
    assert outcomes == {("closed", datetime.date(2036, 12, 21))}


def test_run_timers_command_reports_what_it_fired(people, permit_service, capsys):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        _submit(people, permit_service)
        traveller.move_to(at(2026, 12, 9, 9, 1))
        call_command("run_timers")
    assert "reminded 0, escalated notify 1, failed 0" in capsys.readouterr().out


@pytest.mark.parametrize("step", ["check_completeness"])
def test_a_finished_task_stops_its_clock_and_fires_nothing(people, permit_service, step):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        application = _submit(people, permit_service)
        check_completeness(application, people.clerk, complete=True)
        traveller.move_to(at(2026, 12, 7, 15))
        clock = TaskClock.objects.get(task__process=application.process, task__flow_task__endswith=step)
        assert clock.finished_at == at(2026, 12, 7, 9) and clock.on_time
        traveller.move_to(at(2027, 1, 30, 9))
        outbox_deliver_due()  # the submission's own mail goes out first
        mail.outbox.clear()
        run_due_timers()
    assert not AuditEvent.objects.filter(action__startswith="workflows.task.", object_id=str(clock.task_id),
                                         action__in=["workflows.task.remind", "workflows.task.escalate"]).exists()


def test_an_administrator_imports_holidays_in_the_admin_and_a_bad_line_changes_nothing(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:workflows_holiday_import")
    city = Organisation.objects.get(code="city-hall")
    client.force_login(people.admin)
    bad = SimpleUploadedFile("h.csv", b"2027-01-01,New Year\n2027-13-01,Typo Day\n", content_type="text/csv")
    response = client.post(url, {"organisation": city.pk, "file": bad})
    assert response.status_code == 400
    assert "Line 2: “2027-13-01” is not a date (YYYY-MM-DD)." in response.content.decode()
    assert not Holiday.objects.exists()

    good = SimpleUploadedFile("h.csv", b"date,name\n2027-01-01,New Year\n2027-03-21,Navruz\n", content_type="text/csv")
    response = client.post(url, {"organisation": city.pk, "file": good})
    assert response.status_code == 302
    assert Holiday.objects.filter(organisation=city).count() == 2
    assert AuditEvent.objects.get(action="workflows.holiday.import").actor_id == people.admin.pk

    client.force_login(people.clerk)
    assert client.get(url).status_code == 302  # not staff: the admin's login page
