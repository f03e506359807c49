from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisations")
    url_prefix = "accounts/"

    def ready(self):
        from . import audit  # noqa: F401
        from .models import Organisation
        from .selectors import organisation_cache

        organisation_cache.forget_on_change_of(Organisation)
