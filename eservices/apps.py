from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "eservices"
    verbose_name = _("E-services")
    url_prefix = ""  # /services/, /applications/
    api_urls = "eservices.api.urls"

    def ready(self):
        from django.urls import reverse

        from accounts import sharing
        from workflows.cases import register_case

        from . import audit, checks, document_classes  # noqa: F401
        from .models import Application, RequiredDocument, ServiceType, ServiceVersion, TaskRoute
        from .selectors import application_visible_to, catalog_cache

        # An application is a case: its documents are read by whoever may see it and added to by its
        # applicant, and a draft's by the applicant alone (their private work); the inbox copies its
        # reference, applicant, submission date, service and district; its outcome sets how long its
        # documents are kept.
        register_case(
            Application, person_field="applicant",
            inbox_fields={"reference", "applicant", "submitted_at", "service_type", "district"},
            can_read=lambda user, case: application_visible_to(user=user, pk=case.pk) is not None,
            outcome=lambda case: case.status if case.status in Application.FINAL_STATUSES else None,
            ended_at=lambda case: case.decided_at,
            private_while=lambda case: case.status == Application.Status.DRAFT,
            page=lambda case: reverse("eservices:application", args=[case.pk]))
        document_classes.register()
        # A case is shared with a named person by the heads of the department that owns its service.
        sharing.register(
            Application, find=lambda user, pk: application_visible_to(user=user, pk=pk),
            organisation_of=lambda case: case.service_type.department_id,
            url_of=lambda case: reverse("eservices:application", args=[case.pk]))
        catalog_cache.forget_on_change_of(ServiceType, ServiceVersion, RequiredDocument, TaskRoute)
