from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "eservices"
    verbose_name = _("E-services")

    def ready(self):
        from . import audit, inbox  # noqa: F401
        from .models import RequiredDocument, ServiceType, ServiceVersion, TaskRoute
        from .selectors import catalog_cache

        catalog_cache.forget_on_change_of(ServiceType, ServiceVersion, RequiredDocument, TaskRoute)
        inbox.connect()
