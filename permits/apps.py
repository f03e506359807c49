from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermitsConfig(AppConfig):
    """The building permit: one e-service on the generic application of
    ``eservices`` (catalog, form, drafts, submission, corrections). It brings its
    flow, the staff steps' forms and services, its letter and its demo data."""

    name = "permits"
    verbose_name = _("Building permits")

    def ready(self):
        from . import audit, document_classes  # noqa: F401

        document_classes.register()
