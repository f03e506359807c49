from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EservicesConfig(AppConfig):
    name = "eservices"
    verbose_name = _("E-services")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import audit  # noqa: F401
        from .models import RequiredDocument, ServiceType, TaskRoute

        for model in (ServiceType, RequiredDocument, TaskRoute):
            for signal in (post_save, post_delete):
                signal.connect(_forget_catalog, sender=model)


def _forget_catalog(**kwargs):
    """Now, and again at commit, so a read between the two cannot cache the old entry."""
    from django.db import transaction

    from .selectors import catalog_changed

    catalog_changed()
    transaction.on_commit(catalog_changed)
