from django.db import transaction
from django.utils import timezone

from core import audit
from core.references import reference_take_next
from workflows.cases import sync_case_status
from workflows.services import task_complete

from .models import FaultReport


def report_submit(*, actor, description, department, district=None):
    from .flows import FaultReportFlow

    with transaction.atomic(), audit.batch():
        report = FaultReport.objects.create(reporter=actor, description=description, department=department,
                                            district=district)
        report.process = FaultReportFlow.start.run(report=report)
        report.reference = reference_take_next(series="SL", year=timezone.now().year)
        report.save()
        audit.record(actor=actor, action="faultapp.report.submit", obj=report,
                     after={"reference": report.reference, "status": report.status})
    return report


def report_triage(*, task, actor, data):
    report = task.process.artifact
    task_complete(task=task, actor=actor, action="faultapp.report.triage", comment=data.get("comment", ""),
                  task_data={"urgent": data["urgent"]}, on_done=lambda t: sync_case_status(report))


def report_repair(*, task, actor, data):
    report = task.process.artifact

    def repaired(task):
        report.status, report.closed_at = FaultReport.REPAIRED, timezone.now()
        report.save(update_fields=["status", "closed_at"])

    task_complete(task=task, actor=actor, action="faultapp.report.repair", comment=data["comment"], on_done=repaired)
