from django.apps import AppConfig


class FaultAppConfig(AppConfig):
    """A second e-service, written as a newcomer would add one: every file in this folder, installed by the
    test settings, nothing else touched. Residents report a broken street light; the lighting department
    triages and repairs it."""

    name = "tests.faultapp"
    label = "faultapp"
    url_prefix = "faults/"  # a report's document pages, from the case kernel (urls.py)
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from documents.models import Confidentiality, DisposalAction
        from documents.selectors import register_document_class
        from workflows.cases import register_case

        from . import audit  # noqa: F401
        from .models import FaultReport

        register_document_class("fault-photo", name="Photo of a fault", retention_years=2,
                                disposal=DisposalAction.DESTROY, confidentiality=Confidentiality.PUBLIC)
        register_case(
            FaultReport, person_field="reporter", inbox_fields={"reference", "district", "reporter"},
            can_read=lambda user, report: report.reporter_id == user.pk or user.memberships.filter(
                organisation_id=report.department_id).exists(),
            outcome=lambda report: report.status if report.status == FaultReport.REPAIRED else None,
            ended_at=lambda report: report.closed_at)
