"""Flow versions: new cases start on the newest version, a case already
running finishes on the path it started on, a changed flow with open cases
is refused at deployment, and running cases move between versions only by the
explicit, audited migrate_cases command."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from core.models import AuditEvent
from workflows import registry, versions
from workflows.flows import OPEN_STATUSES
from workflows.models import FlowVersion
from workflows.services import task_complete

from .factories import UserFactory
from .flowapp.flows import LicenceFlow, LicenceFlowV2


def _open_step(process):
    return Task.objects.get(process=process, flow_task_type="HUMAN", status__in=OPEN_STATUSES)


def _work_next_step(process, user):
    task = _open_step(process)
    task.flow_task.activation_class(task).assign(user)
    task_complete(task=Task.objects.get(pk=task.pk), actor=user)
    return task.flow_task.name


def _walk(process, user):
    steps = []
    while Task.objects.filter(process=process, flow_task_type="HUMAN", status__in=OPEN_STATUSES).exists():
        steps.append(_work_next_step(process, user))
    process.refresh_from_db()
    return steps


def test_new_cases_get_the_newest_version_and_old_cases_finish_on_their_own(db):
    officer = UserFactory()
    old_case = LicenceFlow.start.run()  # started before version 2 was deployed
    assert _work_next_step(old_case, officer) == "register"

    # Version 2 is deployed: the registry hands it to new cases.
    assert registry.newest_version(LicenceFlow) is LicenceFlowV2
    assert registry.versions_of(LicenceFlowV2) == [LicenceFlow, LicenceFlowV2]
    new_case = registry.newest_version(LicenceFlow).start.run()

    assert _walk(old_case, officer) == ["decide"]  # no inspection: the old path
    assert old_case.status == PROCESS.DONE and old_case.flow_class is LicenceFlow
    assert _walk(new_case, officer) == ["register", "inspect", "decide"]
    assert new_case.status == PROCESS.DONE and new_case.flow_class is LicenceFlowV2


def test_migrate_records_each_flow_version_and_refuses_a_changed_flow_with_open_cases(db):
    recorded = FlowVersion.objects.get(label="flowapp.LicenceFlow")
    assert recorded.version == 1 and recorded.fingerprint == versions.fingerprint(LicenceFlow)
    assert FlowVersion.objects.get(label="flowapp.LicenceFlowV2").version == 2

    # Someone edits version 1 in place (here: its recorded graph no longer matches).
    FlowVersion.objects.filter(pk=recorded.pk).update(fingerprint="0" * 64)
    LicenceFlow.start.run()
    with pytest.raises(ImproperlyConfigured, match="1 case\\(s\\) still run on it"):
        versions.deploy_flows()

    # With no case left open, the new shape is simply recorded.
    Task.objects.filter(process__flow_class=LicenceFlow).update(status=STATUS.CANCELED)
    versions.open_processes(LicenceFlow).update(status=PROCESS.CANCELED)
    assert versions.deploy_flows() == ["flowapp.LicenceFlow"]
    recorded.refresh_from_db()
    assert recorded.fingerprint == versions.fingerprint(LicenceFlow) and recorded.changed_at is not None


def test_migrate_cases_moves_open_cases_to_the_new_version_audited(db):
    officer = UserFactory()
    waiting = LicenceFlow.start.run()
    _work_next_step(waiting, officer)  # "decide" is open now

    call_command("migrate_cases", "flowapp.LicenceFlow", "flowapp.LicenceFlowV2", "--dry-run")
    assert Task.objects.get(pk=_open_step(waiting).pk).flow_task is LicenceFlow.decide  # dry run: unchanged

    call_command("migrate_cases", "flowapp.LicenceFlow", "flowapp.LicenceFlowV2")
    waiting.refresh_from_db()
    assert waiting.flow_class is LicenceFlowV2
    assert _open_step(waiting).flow_task is LicenceFlowV2.decide
    assert _walk(waiting, officer) == ["decide"]
    assert waiting.status == PROCESS.DONE

    [event] = AuditEvent.objects.filter(action="workflows.process.migrate")
    assert event.before == {"flow": "flowapp.LicenceFlow", "version": 1}
    assert event.after["flow"] == "flowapp.LicenceFlowV2" and event.after["version"] == 2


def test_migrate_cases_refuses_a_step_the_new_version_lacks_and_moves_nothing(db):
    officer = UserFactory()
    inspecting = LicenceFlowV2.start.run()
    _work_next_step(inspecting, officer)  # "inspect" is open: version 1 has no such step
    ready = LicenceFlowV2.start.run()

    with pytest.raises(CommandError, match="“inspect” has no counterpart"):
        call_command("migrate_cases", "flowapp.LicenceFlowV2", "flowapp.LicenceFlow")
    assert versions.open_processes(LicenceFlowV2).count() == 2  # all or nothing

    # Mapping the step onto one version 1 has makes it possible.
    call_command("migrate_cases", "flowapp.LicenceFlowV2", "flowapp.LicenceFlow", "--step", "inspect=decide")
    assert _open_step(inspecting).flow_task is LicenceFlow.decide
    ready.refresh_from_db()
    assert ready.flow_class is LicenceFlow
    assert AuditEvent.objects.filter(action="workflows.process.migrate").count() == 2


def test_migrate_cases_only_between_versions_of_one_flow(db):
    with pytest.raises(CommandError, match="not another version"):
        call_command("migrate_cases", "flowapp.LicenceFlow", "permits.BuildingPermitFlow")
    with pytest.raises(CommandError, match="No flow is called"):
        call_command("migrate_cases", "flowapp.LicenceFlow", "flowapp.Nothing")
