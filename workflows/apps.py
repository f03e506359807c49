from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from . import audit, clocks, incidents  # noqa: F401
        from .models import Holiday
        from .sla import calendar_cache

        clocks.connect()
        incidents.connect()
        calendar_cache.forget_on_change_of(Holiday)
