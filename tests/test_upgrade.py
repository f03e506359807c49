"""A database of the release before the case kernel is migrated forward without losing a case, a number or an
audit row: its reference counters move to core (the next case gets the next number, none is reused), its service
versions name their flow by label, the permit's running cases follow their flow into the permits app and go on
where they stood, and the audit chain still verifies."""

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.audit import verify_chain
from core.models import AuditEvent, ReferenceSequence
from eservices.models import Application, ServiceVersion
from eservices.services import application_apply
from permits import services as permits
from permits.flows import BuildingPermitFlow

from .cases import check_completeness, claimed
from .factories import PERMIT_DATA, permit_files

BEFORE_THE_KERNEL = [("core", "0004_idempotent_requests"), ("eservices", "0006_decision_letters_issued")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_cases_numbers_and_audit_survive_the_upgrade(transactional_db, people, permit_service):
    cases = [application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                               files=permit_files()) for _ in range(3)]
    in_review = check_completeness(cases[0], people.clerk)  # its three reviews wait
    references = sorted(case.reference for case in cases)
    events = AuditEvent.objects.count()
    year = timezone.now().year

    # The database as the previous release left it: its counter in eservices' own table, flows by dotted path.
    _migrate(BEFORE_THE_KERNEL)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO eservices_referencesequence (series, year, last_value) VALUES (%s, %s, %s)",
                       ["BP", year, 3])
        cursor.execute("SELECT DISTINCT flow FROM eservices_serviceversion")
        assert cursor.fetchall() == [("eservices.flows.BuildingPermitFlow",)]
        cursor.execute("SELECT DISTINCT flow_class FROM viewflow_process")
        assert cursor.fetchall() == [("eservices/flows.BuildingPermitFlow",)]
        cursor.execute("SELECT COUNT(*) FROM viewflow_task WHERE flow_task LIKE 'eservices/flows.BuildingPermitFlow.%%'")
        tasks = cursor.fetchone()[0]
        assert tasks  # its check and its three reviews

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert sorted(Application.objects.exclude(reference=None).values_list("reference", flat=True)) == references
    assert ReferenceSequence.objects.get(series="BP", year=year).last_value == 3
    assert set(ServiceVersion.objects.values_list("flow", flat=True)) == {"permits.BuildingPermitFlow"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM viewflow_task WHERE flow_task LIKE 'permits/flows.BuildingPermitFlow.%%'")
        assert cursor.fetchone()[0] == tasks
    assert AuditEvent.objects.count() == events
    assert verify_chain().ok
    call_command("verify_audit")
    in_review.refresh_from_db()
    assert in_review.process.flow_class is BuildingPermitFlow
    assert in_review.status == "in_review"
    # the case goes on where it stood: its reviews are worked in the permit's own flow
    for step, reviewer in (("review_architecture", people.clerk), ("review_fire_safety", people.fire),
                           ("review_environment", people.environment)):
        permits.permit_review(task=claimed(in_review, step, reviewer), actor=reviewer,
                              data={"favourable": True, "comment": ""})
    in_review.refresh_from_db()
    assert in_review.status == "awaiting_decision"
    newer = application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA,
                              files=permit_files())
    assert newer.reference == f"BP-{year}-000004"
