from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import audit, clocks, incidents  # noqa: F401
        from .models import Holiday

        clocks.connect()
        incidents.connect()
        for signal in (post_save, post_delete):
            signal.connect(_forget_calendars, sender=Holiday, dispatch_uid=f"munis-holidays-{signal is post_save}")


def _forget_calendars(**kwargs):
    from django.db import transaction

    from .sla import calendars_changed

    calendars_changed()
    transaction.on_commit(calendars_changed)
