from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from . import audit, checks  # noqa: F401
        from .models import DocumentClass
        from .selectors import class_cache

        class_cache.forget_on_change_of(DocumentClass)
