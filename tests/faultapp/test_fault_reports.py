"""A second e-service on the kernel, not the permit: a street-light fault runs through the inbox, clocks,
reminders and escalation, the task pages, the timeline, BPMN export and analytics, and its documents are
downloaded and previewed through the kernel's pages. Everything it needed is in this folder (the test settings
install it)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Organisation, Role
from core import audit
from core.models import AuditEvent
from documents.previews import previews_make_pending
from documents.selectors import document_class, register_document_class
from documents.services import GeneratedFile, case_documents_add
from tests.factories import TINY_PDF, UserFactory, member
from workflows.cases import case_timeline, cases_of, cases_routed_to
from workflows.models import OpenTask, TaskClock
from workflows.timers import run_due_timers

from .models import FaultReport
from .services import report_submit

TASHKENT = ZoneInfo("Asia/Tashkent")
FLOW = "faultapp.FaultReportFlow"


def at(*args):
    return datetime.datetime(*args, tzinfo=TASHKENT)


@pytest.fixture
def lighting(db):
    city = Organisation.objects.create(code="city", name="City hall", kind=Organisation.Kind.MUNICIPALITY)
    department = Organisation.objects.create(code="dept-lighting", name="Street lighting", parent=city,
                                             kind=Organisation.Kind.DEPARTMENT)
    other = Organisation.objects.create(code="dept-parks", name="Parks", parent=city,
                                        kind=Organisation.Kind.DEPARTMENT)
    return {
        "department": department,
        "resident": UserFactory(full_name="Malika Resident"),
        "electrician": member(department, Role.CLERK, full_name="Timur Electrician"),
        "head": member(department, Role.SUPERVISOR, full_name="Saida Head"),
        "gardener": member(other, Role.CLERK, full_name="Olim Gardener"),
    }


def _open(report, step):
    return Task.objects.get(process_id=report.process_id, flow_task_type="HUMAN",
                            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
                            flow_task=getattr(report.process.flow_class.instance, step))


def test_a_fault_report_is_worked_from_the_inbox_to_its_repair(client, lighting):
    report = report_submit(actor=lighting["resident"], description="Lamp 14 on Navoi Street is dark",
                           department=lighting["department"])
    assert report.reference.startswith("SL-") and report.status == "received"

    # The inbox lists it for the lighting department only; its row is searchable by reference and reporter.
    client.force_login(lighting["electrician"])
    inbox = client.get(reverse("workflows:inbox")).content.decode()
    assert report.reference in inbox
    client.force_login(lighting["gardener"])
    assert report.reference not in client.get(reverse("workflows:inbox")).content.decode()
    triage = _open(report, "triage")
    assert client.get(reverse("workflows:task", args=[triage.pk])).status_code == 404
    row = OpenTask.objects.get(task_id=triage.pk)
    assert row.department_id == lighting["department"].pk and row.search == f"{report.reference} MALIKA RESIDENT"

    # The task page shows the case as the app draws it; claim, then complete through the step's form.
    client.force_login(lighting["electrician"])
    page = client.get(reverse("workflows:task", args=[triage.pk])).content.decode()
    assert "Lamp 14 on Navoi Street is dark" in page
    assert client.post(reverse("workflows:claim", args=[triage.pk])).status_code == 302
    assert client.post(reverse("workflows:task", args=[triage.pk]), {"urgent": "on", "comment": "pole 14"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "in_repair"  # the status the flow declares for its open step

    repair = _open(report, "repair")
    client.post(reverse("workflows:claim", args=[repair.pk]))
    response = client.post(reverse("workflows:task", args=[repair.pk]), {"comment": ""})
    assert response.status_code == 400  # the repair note is required by the step's form
    client.post(reverse("workflows:task", args=[repair.pk]), {"comment": "Lamp replaced"})
    report.refresh_from_db()
    assert report.status == "repaired" and report.closed_at is not None
    assert not OpenTask.objects.filter(process_id=report.process_id).exists()

    # The timeline: the resident sees what happened, the staff see who did it, in words.
    resident_view = case_timeline(report, viewer=lighting["resident"])
    assert [row.what for row in resident_view] == ["Fault reported", "Fault triaged", "Fault repaired"]
    assert all(row.by is None for row in resident_view)  # the municipality acted, not a named person
    staff_view = case_timeline(report, viewer=lighting["head"])
    assert f"Malika Resident reported the fault {report.reference}." in [row.message for row in staff_view]
    assert any(row.message.startswith(f"Timur Electrician repaired {report.reference}") for row in staff_view)
    assert "Task claimed" in [row.what for row in staff_view]  # the whole trail, by name

    # The kernel's selectors: "my cases" and "cases routed to these organisations".
    assert list(cases_of(FaultReport, user=lighting["resident"])) == [report]
    assert list(cases_routed_to(FaultReport, [lighting["department"].pk])) == [report]
    assert not cases_routed_to(FaultReport, [lighting["gardener"].memberships.get().organisation_id]).exists()


def test_the_fault_flows_clock_reminds_then_escalates(lighting):
    with time_machine.travel(at(2026, 12, 7, 9), tick=False) as traveller:
        report = report_submit(actor=lighting["resident"], description="Flickering lamp",
                               department=lighting["department"])
        clock = TaskClock.objects.get(task=_open(report, "triage"))
        assert clock.due_at == at(2026, 12, 7, 17)  # eight working hours
        assert clock.remind_at == at(2026, 12, 7, 15)
        traveller.move_to(at(2026, 12, 7, 15, 30))
        assert run_due_timers().reminded == 1
        traveller.move_to(at(2026, 12, 7, 17, 30))
        assert run_due_timers().escalated == {"notify": 1}
        assert run_due_timers().fired == 0
    trail = AuditEvent.objects.filter(trail_key=f"faultapp.faultreport:{report.pk}")
    assert list(trail.filter(action__in=["workflows.task.remind", "workflows.task.escalate"])
                .values_list("action", flat=True)) == ["workflows.task.remind", "workflows.task.escalate"]


def test_the_fault_flow_exports_as_bpmn_and_shows_in_analytics(client, lighting, tmp_path):
    output = tmp_path / "fault.bpmn"
    call_command("export_bpmn", FLOW, "-o", str(output))
    xml = output.read_text()
    assert "Triage" in xml and "Repair" in xml and "bpmndi:BPMNDiagram" in xml

    report = report_submit(actor=lighting["resident"], description="Dark lamp", department=lighting["department"])
    client.force_login(lighting["head"])
    page = client.get(reverse("workflows:analytics"), {"flow": FLOW})
    assert page.status_code == 200 and "Triage" in page.content.decode()
    assert client.get(reverse("workflows:flow", args=[FLOW])).status_code == 200
    assert report.process.flow_class.instance.case_status(report.process) == "received"


def test_the_service_declares_its_own_document_class_once(db):
    photo = document_class("fault-photo")
    assert (photo.name, photo.retention_years, photo.disposal) == ("Photo of a fault", 2, "destroy")
    with pytest.raises(ImproperlyConfigured, match="fault-photo"):
        register_document_class("fault-photo", name="Photo", retention_years=1, disposal="destroy",
                                confidentiality="public")


def _attach(report, content=TINY_PDF):
    """A scan of the fault, added to the report by its reporter (the document store's write path)."""
    upload = GeneratedFile.of(content, name="lamp-14.pdf", content_type="application/pdf")
    with transaction.atomic(), audit.batch():
        (version,) = case_documents_add(actor=report.reporter, case=report, uploads={
            "photo": ("Photo of the fault", document_class("fault-photo"), upload)})
    return version


def test_a_reports_documents_are_downloaded_and_previewed_through_the_kernels_pages(client, lighting):
    report = report_submit(actor=lighting["resident"], description="Lamp 14 is dark", department=lighting["department"])
    version = _attach(report)
    document = reverse("faultapp:document", args=[report.pk, version.pk])
    preview = reverse("faultapp:document_preview", args=[report.pk, version.pk])
    assert (document, preview) == (f"/faults/{report.pk}/documents/{version.pk}/",
                                   f"/faults/{report.pk}/documents/{version.pk}/preview.png")

    # Its reporter and the department it was sent to read it; the preview is a 404 until the background made it.
    for reader in (lighting["resident"], lighting["electrician"]):
        client.force_login(reader)
        response = client.get(document)
        assert response.status_code == 200 and b"".join(response.streaming_content) == TINY_PDF
        assert response["Content-Type"] == "application/pdf" and response["Content-Length"] == str(len(TINY_PDF))
        assert 'filename="lamp-14.pdf"' in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"
        assert client.get(preview).status_code == 404
    assert previews_make_pending() == {"ready": 1}
    response = client.get(preview)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["Cache-Control"] == "private, no-store"

    # Another resident and another department's clerk are answered as if there were no such report.
    for outsider in (UserFactory(full_name="Bobur Neighbour"), lighting["gardener"]):
        client.force_login(outsider)
        assert (client.get(document).status_code, client.get(preview).status_code) == (404, 404)
    # A version of another report, under this report's address, is not this report's.
    others = _attach(report_submit(actor=UserFactory(), description="Pole leans", department=lighting["department"]))
    client.force_login(lighting["resident"])
    assert client.get(reverse("faultapp:document", args=[report.pk, others.pk])).status_code == 404
    assert client.get(reverse("faultapp:document", args=[999_999, version.pk])).status_code == 404
    assert client.post(document).status_code == 405
    client.logout()
    assert client.get(document).status_code == 302  # to the sign-in page
