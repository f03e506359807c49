"""The building-permit flow, read top to bottom like its diagram.

submit → completeness check ⇄ correction by the applicant (closed when not
answered in time) → parallel technical
reviews (architecture, fire safety, environment) → decision by the head →
permit or refusal letter (PDF) → end.
"""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from accounts.models import Organisation
from eservices import services as applications
from eservices.selectors import service_names_by_code
from workflows.flows import CaseFlow, case_start, department_task, no_url_view
from workflows.registry import label_of, versions_of
from workflows.sla import DAY, Sla

from . import forms, selectors, services


def _routed(step):
    """Department that works ``step``: the service's routing rule, else its owner."""

    def resolve(process):
        service_type = process.artifact.service_type
        department_id = service_type.route_department_ids().get(step, service_type.department_id)
        if department_id == service_type.department_id:
            return service_type.department
        return Organisation.objects.get(pk=department_id)

    return resolve


class BuildingPermitFlow(CaseFlow, flow.Flow):
    process_title = _("Building permit")

    start = case_start(this.start_case).Annotation(title=_("Application submitted")).Next(this.check_completeness)

    check_completeness = (
        flow.View(no_url_view)
        .Annotation(title=_("Completeness check"))
        .Permission(**department_task(_routed("check_completeness")))
        .Next(this.is_complete)
    )
    is_complete = (
        flow.If(lambda activation: activation.process.data.get("complete"))
        .Annotation(title=_("Complete?"))
        .Then(this.reviews)
        .Else(this.correction)
    )
    correction = (
        flow.View(no_url_view)
        .Annotation(title=_("Correction by the applicant"))
        .Assign(lambda activation: activation.process.artifact.applicant)
        .Next(this.is_answered)
    )
    is_answered = (
        flow.If(lambda activation: not activation.process.data.get("correction_expired"))
        .Annotation(title=_("Answered in time?"))
        .Then(this.check_completeness)
        .Else(this.closed_unanswered)
    )
    closed_unanswered = flow.End().Annotation(title=_("Closed without an answer"))
    reviews = (
        flow.Split()
        .Annotation(title=_("Technical reviews"))
        .Always(this.review_architecture)
        .Always(this.review_fire_safety)
        .Always(this.review_environment)
    )
    review_architecture = (
        flow.View(no_url_view)
        .Annotation(title=_("Architecture review"))
        .Permission(**department_task(_routed("review_architecture")))
        .Next(this.reviews_done)
    )
    review_fire_safety = (
        flow.View(no_url_view)
        .Annotation(title=_("Fire safety review"))
        .Permission(**department_task(_routed("review_fire_safety")))
        .Next(this.reviews_done)
    )
    review_environment = (
        flow.View(no_url_view)
        .Annotation(title=_("Environmental review"))
        .Permission(**department_task(_routed("review_environment")))
        .Next(this.reviews_done)
    )
    reviews_done = flow.Join().Annotation(title=_("All reviews in")).Next(this.decision)
    decision = (
        flow.View(no_url_view)
        .Annotation(title=_("Decision by the head"))
        .Permission(**department_task(_routed("decision"), supervisor_only=True))
        .Next(this.issue_letter)
    )
    issue_letter = flow.Function(this.issue_decision_letter).Annotation(title=_("Issue letter")).Next(this.end)
    end = flow.End().Annotation(title=_("Decision letter issued"))

    task_sla = {
        "check_completeness": Sla(days=2),
        "correction": Sla(days=10, remind_before=3 * DAY, on_overdue=Sla.EXPIRE, pauses_case=True),
        "review_architecture": Sla(days=5),
        "review_fire_safety": Sla(days=5),
        "review_environment": Sla(days=5),
        "decision": Sla(days=3, on_overdue=Sla.REASSIGN),
    }
    task_forms = {
        "check_completeness": (forms.CompletenessForm, services.permit_check_completeness),
        "review_architecture": (forms.ReviewForm, services.permit_review),
        "review_fire_safety": (forms.ReviewForm, services.permit_review),
        "review_environment": (forms.ReviewForm, services.permit_review),
        "decision": (forms.DecisionForm, services.permit_decide),
    }
    task_panels = {
        "decision": ("permits/staff/reviews.html", selectors.permit_decision_panel),
    }
    case_template = "eservices/staff/case_summary.html"
    case_lookups = {
        "reference": "application__reference",
        "applicant": "application__applicant__full_name",
        "submitted": "application__submitted_at",
        "service": "application__service_type__code",
        "district": "application__district",
    }

    decision_steps = ("decision",)
    case_statuses = {
        "correction": "correction",
        "check_completeness": "submitted",
        "review_architecture": "in_review",
        "review_fire_safety": "in_review",
        "review_environment": "in_review",
        "decision": "awaiting_decision",
    }
    applicant_journey = (
        ("submitted", _("A clerk checks that your application is complete. If anything is missing or unclear, we "
                        "ask you to correct it, and the deadline waits for your answer.")),
        ("in_review", _("The architecture, fire safety and environment departments review your project.")),
        ("awaiting_decision", _("The head of the department decides. You get an e-mail, and the decision letter "
                                "to download from the page of your application.")),
    )
    status_labels = {
        "submitted": _("Submitted — completeness check"),
        "correction": _("Correction requested"),
        "in_review": _("Technical review"),
        "awaiting_decision": _("Awaiting decision"),
        "closed": _("Closed — correction not answered in time"),
    }
    status_colours = {"in_review": "light-blue", "awaiting_decision": "purple"}

    def start_case(self, activation, application):
        activation.process.artifact = application
        application.process = activation.process  # so the inbox reads the case from memory, not the database
        return activation.process

    def case_services(self):
        return service_names_by_code(flows=[label_of(version) for version in versions_of(type(self))])

    def case_deadline(self, process):
        case = process.artifact
        return case.service_version.deadline_days * DAY, case.service_type.department_id

    def task_expired(self, task):
        if task.flow_task.name == "correction":
            applications.application_close_unanswered(task=task)
        else:
            super().task_expired(task)

    def issue_decision_letter(self, activation):
        services.permit_issue_letter(
            application=activation.process.artifact, approved=bool(activation.process.data.get("approved"))
        )
