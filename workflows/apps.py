from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")
    url_prefix = "staff/"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import audit, cases, checks, clocks, incidents, locks, open_tasks  # noqa: F401
        from .models import Holiday
        from .sla import calendar_cache
        from .versions import deploy_after_migrate

        post_migrate.connect(deploy_after_migrate, sender=self, dispatch_uid="workflows.deploy_flows")
        clocks.connect()  # before the inbox rows: a new task's row is written with its clock's due date
        open_tasks.connect()
        incidents.connect()
        cases.connect()
        locks.connect()
        calendar_cache.forget_on_change_of(Holiday)
