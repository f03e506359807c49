"""Races that only real concurrency shows: many people pressing the same
button at the same instant, each in their own thread and database connection.

The guarantees under test are the ones the services promise in their
docstrings — a task has one holder, a reference number series has no gaps
and no duplicates, a task completes once, a Join fires once — and they rest on
PostgreSQL row locks (``SELECT … FOR UPDATE``), so this module runs on
PostgreSQL only. SQLite serialises every writer on a file lock and would
prove nothing here.
"""

import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Task

from accounts.models import Organisation, Role
from core.audit import verify_chain
from core.errors import InvalidTransition
from core.models import AuditEvent, ReferenceSequence
from eservices import services as eservices
from eservices.models import Application
from permits import services as permits
from workflows import services as workflows
from workflows.services import task_department_id

from .cases import open_task
from .factories import PERMIT_DATA, UserFactory, member, permit_files

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="row locks need PostgreSQL; CI runs this suite on PostgreSQL",
    ),
]

THREAD_TIMEOUT = 60


def run_together(calls):
    """Run each zero-argument callable in its own thread, all released at once.

    Each thread opens its own database connection *before* the barrier (so
    connecting does not stagger the start) and closes it at the end. Returns
    one ``(outcome, value)`` pair per call, in order: ``("ok", result)`` or
    ``("error", exception)``.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=THREAD_TIMEOUT)
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 — every outcome is reported to the test
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call), daemon=True) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"{len(stuck)} thread(s) still running after {THREAD_TIMEOUT}s — a lock is never released"
    return results


def split(results):
    wins = [value for outcome, value in results if outcome == "ok"]
    errors = [value for outcome, value in results if outcome == "error"]
    return wins, errors


def only_conflicts(errors, code):
    """Every failure must be the domain's polite refusal, nothing else."""
    unexpected = [e for e in errors if not (isinstance(e, InvalidTransition) and e.code == code)]
    assert not unexpected, "unexpected errors under concurrency: " + "; ".join(
        f"{type(e).__name__}: {e}" for e in unexpected
    )


@pytest.fixture
def case(transactional_db, people, permit_service):
    """A building-permit application waiting for its completeness check."""
    return eservices.application_apply(actor=people.citizen, service_type=permit_service,
                                       data=PERMIT_DATA, files=permit_files())


def test_twenty_clerks_claim_the_same_task_and_exactly_one_gets_it(case):
    task = open_task(case, "check_completeness")
    department = Organisation.objects.get(pk=task_department_id(task))
    clerks = [member(department, Role.CLERK, full_name=f"Racing Clerk {i}") for i in range(20)]

    def claim_as(clerk):
        def call():
            own_copy = Task.objects.get(pk=task.pk)
            return workflows.task_claim(task=own_copy, actor=clerk).owner_id
        return call

    wins, errors = split(run_together([claim_as(clerk) for clerk in clerks]))

    assert len(wins) == 1, f"{len(wins)} clerks claimed the same task"
    only_conflicts(errors, "task_taken")
    assert len(errors) == 19
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    assert task.owner_id == wins[0]
    assert task.owner_id in {clerk.pk for clerk in clerks}
    claims = AuditEvent.objects.filter(action="workflows.task.claim", object_id=str(task.pk))
    assert [e.actor_id for e in claims] == [task.owner_id]
    call_command("verify_audit")


def test_twenty_simultaneous_submissions_get_consecutive_reference_numbers(transactional_db, permit_service):
    citizens = [UserFactory(full_name=f"Applicant {i}") for i in range(20)]

    def apply_as(citizen):
        def call():
            return eservices.application_apply(actor=citizen, service_type=permit_service,
                                               data=PERMIT_DATA, files=permit_files()).reference
        return call

    wins, errors = split(run_together([apply_as(citizen) for citizen in citizens]))

    assert not errors, "submissions failed under concurrency: " + "; ".join(
        f"{type(e).__name__}: {e}" for e in errors
    )
    year = timezone.now().year
    assert sorted(wins) == [f"BP-{year}-{n:06d}" for n in range(1, 21)]
    stored = Application.objects.filter(applicant__in=citizens)
    assert sorted(stored.values_list("reference", flat=True)) == sorted(wins)
    assert {a.status for a in stored} == {"submitted"}
    assert all(a.process_id for a in stored)
    assert ReferenceSequence.objects.get(series="BP", year=year).last_value == 20
    assert AuditEvent.objects.filter(action="eservices.application.submit").count() == 20
    report = verify_chain()
    assert report.ok, f"audit chain broken at #{report.first_bad_id}: {report.reason}"


def test_a_task_completed_from_several_threads_completes_once(case, people):
    task = open_task(case, "check_completeness")
    workflows.task_claim(task=task, actor=people.clerk)

    def complete():
        own_copy = Task.objects.get(pk=task.pk)
        permits.permit_check_completeness(task=own_copy, actor=people.clerk, data={"complete": True, "comment": ""})
        return own_copy.pk

    wins, errors = split(run_together([complete for _ in range(8)]))

    assert len(wins) == 1, f"the task completed {len(wins)} times"
    only_conflicts(errors, "task_finished")
    task.refresh_from_db()
    assert task.status == "DONE"
    assert AuditEvent.objects.filter(action="eservices.application.check_completeness").count() == 1
    reviews = Task.objects.filter(process_id=case.process_id, flow_task_type="HUMAN",
                                  status="NEW").exclude(pk=task.pk)
    assert sorted(t.flow_task.name for t in reviews) == [
        "review_architecture", "review_environment", "review_fire_safety"]
    case.refresh_from_db()
    assert case.status == "in_review"
    call_command("verify_audit")


def test_three_reviews_finishing_together_open_exactly_one_decision(case, people):
    checking = open_task(case, "check_completeness")
    workflows.task_claim(task=checking, actor=people.clerk)
    permits.permit_check_completeness(task=checking, actor=people.clerk, data={"complete": True, "comment": ""})
    reviews = [("review_architecture", people.clerk), ("review_fire_safety", people.fire),
               ("review_environment", people.environment)]
    held = []
    for step, reviewer in reviews:
        task = open_task(case, step)
        workflows.task_claim(task=task, actor=reviewer)
        held.append((task.pk, reviewer))

    def review_as(task_pk, reviewer):
        def call():
            own_copy = Task.objects.get(pk=task_pk)
            permits.permit_review(task=own_copy, actor=reviewer, data={"favourable": True, "comment": "fine"})
            return task_pk
        return call

    wins, errors = split(run_together([review_as(pk, reviewer) for pk, reviewer in held]))

    assert not errors, "reviews failed under concurrency: " + "; ".join(f"{type(e).__name__}: {e}" for e in errors)
    assert sorted(wins) == sorted(pk for pk, _ in held)
    flow = case.process.flow_class.instance
    joins = Task.objects.filter(process_id=case.process_id, flow_task=flow.reviews_done)
    assert [j.status for j in joins] == ["DONE"], "the Join must exist once and have fired"
    decisions = Task.objects.filter(process_id=case.process_id, flow_task=flow.decision)
    assert [d.status for d in decisions] == ["NEW"], f"{decisions.count()} decision tasks"
    case.refresh_from_db()
    assert case.status == "awaiting_decision"
    call_command("verify_audit")


def test_two_timer_runners_at_once_fire_each_due_timer_exactly_once(transactional_db, people, permit_service):
    """``run_timers`` in two separate processes against the same database, started
    together: thirty overdue tasks, thirty escalations, none twice."""
    import os
    import re
    import subprocess
    import sys
    from datetime import timedelta

    from workflows.models import TaskClock

    for _ in range(30):
        eservices.application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                                    files=permit_files())
    TaskClock.objects.update(due_at=timezone.now() - timedelta(minutes=5))
    url = f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:" \
          f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    runners = [subprocess.Popen([sys.executable, "manage.py", "run_timers"], cwd=settings.BASE_DIR, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [runner.communicate(timeout=120) for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], outputs

    fired = [int(re.search(r"escalated notify (\d+)", out).group(1)) if "notify" in out else 0 for out, _err in outputs]
    assert sum(fired) == 30, outputs
    escalations = AuditEvent.objects.filter(action="workflows.task.escalate")
    assert escalations.count() == 30
    assert len(set(escalations.values_list("object_id", flat=True))) == 30
    assert not TaskClock.objects.filter(escalated_at__isnull=True).exists()
    call_command("verify_audit")
