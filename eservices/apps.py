from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "eservices"
    verbose_name = _("E-services")

    def ready(self):
        from documents import access

        from . import audit, inbox, records  # noqa: F401
        from .models import Application, RequiredDocument, ServiceType, ServiceVersion, TaskRoute
        from .selectors import application_visible_to, catalog_cache

        # An application's documents: read by whoever may see the case, added to by its applicant.
        access.register_case(
            Application, can_read=lambda user, case: application_visible_to(user=user, pk=case.pk) is not None,
            can_edit=lambda user, case: case.applicant_id == user.pk)

        catalog_cache.forget_on_change_of(ServiceType, ServiceVersion, RequiredDocument, TaskRoute)
        inbox.connect()
        records.connect()
