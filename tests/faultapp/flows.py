import datetime

from viewflow import this
from viewflow.workflow import flow

from workflows.flows import CaseFlow, case_start, department_task, no_url_view
from workflows.sla import Sla

from . import forms, services


def lighting_department(process):
    return process.artifact.department


class FaultReportFlow(CaseFlow, flow.Flow):
    process_title = "Street-light fault"

    start = case_start(this.start_case).Annotation(title="Fault reported").Next(this.triage)
    triage = (flow.View(no_url_view).Annotation(title="Triage")
              .Permission(**department_task(lighting_department)).Next(this.repair))
    repair = (flow.View(no_url_view).Annotation(title="Repair")
              .Permission(**department_task(lighting_department)).Next(this.end))
    end = flow.End().Annotation(title="Fault repaired")

    task_sla = {"triage": Sla(hours=8, remind_before=datetime.timedelta(hours=2)), "repair": Sla(days=2)}
    task_forms = {"triage": (forms.TriageForm, services.report_triage),
                  "repair": (forms.RepairForm, services.report_repair)}
    case_statuses = {"triage": "received", "repair": "in_repair"}
    status_labels = {"received": "Received", "in_repair": "Being repaired", "repaired": "Repaired"}
    case_template = "faultapp/case_summary.html"
    case_lookups = {"reference": "fault_report__reference", "applicant": "fault_report__reporter__full_name",
                    "district": "fault_report__district"}

    def start_case(self, activation, report):
        activation.process.artifact = report
        report.process = activation.process
        return activation.process
