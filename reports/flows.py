"""The problem report's flow, read top to bottom like its diagram.

received → moderation (reports from anonymous people, SMS and e-mail) → routed by the matrix → accepted by the
supplier (or handed back, and dispatched again) → in progress → resolved → the reporter confirms it fixed, or says
it is not and it goes back to the supplier, or says nothing and it closes by itself → closed. Moderation and
dispatch may reject it with a public reason; staff may merge it into another report as a duplicate (the case is
cancelled where it stands, reports.services.report_merge).
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.flows import CaseFlow, case_start, department_task, no_url_view
from workflows.sla import DAY, Sla

from . import forms, routing, services
from .models import Report

S = Report.Status


def _flag(name):
    return lambda activation: bool(activation.process.data.get(name))


class ReportFlow(CaseFlow, flow.Flow):
    process_title = _("Problem report")

    start = case_start(this.start_case).Annotation(title=_("Report received")).Next(this.triage)
    # routed by the matrix as it arrives, or once a moderator admits it (reports.services.report_route)
    triage = (
        flow.Switch().Annotation(title=_("Checked, and someone to send it to?"))
        .Case(this.moderate, _flag("moderate"))
        .Case(this.accept, lambda activation: activation.process.artifact.supplier_id is not None)
        .Default(this.dispatch)
    )
    moderate = (
        flow.View(no_url_view).Annotation(title=_("Moderation"))
        .Permission(**department_task(lambda process: routing.dispatch_organisation()))
        .Next(this.is_admitted)
    )
    is_admitted = (
        flow.If(_flag("rejected")).Annotation(title=_("Rejected?"))
        .Then(this.rejected).Else(this.triage)
    )
    accept = (
        flow.View(no_url_view).Annotation(title=_("Acceptance by the supplier"))
        .Permission(**department_task(lambda process: process.artifact.supplier))
        .Next(this.is_handed_back)
    )
    is_handed_back = (
        flow.If(_flag("handed_back")).Annotation(title=_("Handed back?"))
        .Then(this.dispatch).Else(this.work)
    )
    dispatch = (
        flow.View(no_url_view).Annotation(title=_("Dispatch to the right supplier"))
        .Permission(**department_task(lambda process: routing.dispatcher_of(process.artifact)))
        .Next(this.is_dispatched)
    )
    is_dispatched = (
        flow.If(_flag("rejected")).Annotation(title=_("Rejected?"))
        .Then(this.rejected).Else(this.accept)
    )
    work = (
        flow.View(no_url_view).Annotation(title=_("Work by the supplier"))
        .Permission(**department_task(lambda process: process.artifact.supplier))
        .Next(this.confirm)
    )
    confirm = (
        flow.View(no_url_view).Annotation(title=_("Confirmation by the reporter"))
        .Assign(lambda activation: activation.process.artifact.reporter)
        .Next(this.is_reopened)
    )
    is_reopened = (
        flow.If(_flag("reopened")).Annotation(title=_("Still not fixed?"))
        .Then(this.work).Else(this.closed)
    )
    closed = flow.End().Annotation(title=_("Closed"))
    rejected = flow.End().Annotation(title=_("Rejected"))

    task_sla = {
        "moderate": Sla(hours=8),
        "accept": Sla(days=1, on_overdue=Sla.EXPIRE),
        "dispatch": Sla(days=1),
        "work": Sla(days=5, on_overdue=Sla.EXPIRE),  # the category's days (task_sla_for)
        "confirm": Sla(days=14, remind_before=None, on_overdue=Sla.EXPIRE, pauses_case=True),
    }
    task_forms = {
        "moderate": (forms.ModerationForm, services.report_moderate),
        "accept": (forms.AcceptanceForm, services.report_accept),
        "dispatch": (forms.DispatchForm, services.report_dispatch),
        "work": (forms.ResolutionForm, services.report_resolve),
    }
    case_template = "reports/staff/case_summary.html"
    case_lookups = {
        "reference": "problem_report__reference",
        "applicant": "problem_report__contact_name",
        "submitted": "problem_report__created_at",
        "service": "problem_report__category__code",
        "district": "problem_report__district__department",
    }
    case_statuses = {
        "moderate": S.MODERATION,
        "dispatch": S.RETURNED,
        "accept": S.ROUTED,
        "work": S.ACCEPTED,
        "confirm": S.RESOLVED,
    }
    status_labels = dict(S.choices)
    status_colours = dict(Report.STATUS_COLOURS)

    def start_case(self, activation, report):
        activation.process.artifact = report
        activation.process.data = {"moderate": not report.is_public}
        report.process = activation.process
        return activation.process

    def case_deadline(self, process):
        report = process.artifact
        if report.category_id is None:
            return None
        calendar = report.district.department_id if report.district_id else None
        return report.category.resolution_days * DAY, calendar

    def case_services(self):
        from .selectors import category_names_by_code

        return category_names_by_code()

    def task_sla_for(self, task):
        sla = super().task_sla_for(task)
        name = task.flow_task.name
        if name == "work" and sla is not None:
            category = task.process.artifact.category
            if category is not None:
                return Sla(days=category.resolution_days, remind_before=sla.remind_before, on_overdue=sla.on_overdue)
        if name == "confirm" and sla is not None:
            return Sla(days=settings.MUNIS_REPORTS_CONFIRM_DAYS, remind_before=None, on_overdue=sla.on_overdue,
                       pauses_case=True)
        return sla

    def task_initial(self, task):
        report = task.process.artifact
        if task.flow_task.name == "moderate":
            return {"category": report.category_id or report.suggested_category_id,
                    "latitude": report.latitude, "longitude": report.longitude}
        return {}

    def task_expired(self, task):
        if task.flow_task.name == "confirm":
            services.report_close_unconfirmed(task=task)
        elif task.flow_task.name in ("accept", "work"):
            services.report_escalate(task=task)
        else:
            super().task_expired(task)
