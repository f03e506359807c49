from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.utils import timezone


class CoreConfig(AppConfig):
    default = True  # core/apps.py holds a second AppConfig; without this Django would not use this one
    name = "core"
    verbose_name = "Core"
    url_prefix = "audit/"  # the auditor's search and trails (core.plugins mounts it)

    def ready(self):
        from . import audit, maps, plugins  # noqa: F401  core's own audit actions; the map settings' and plug-in points' checks
        from .api_clients import audit as api_clients_audit  # noqa: F401  the API clients' audit actions
        from .housekeeping import register as register_housekeeping
        from .outbox import EmailChannel, outbox_deliver_due, outbox_forget_sent, register_channel
        from .outbox import audit as outbox_audit  # noqa: F401  the outbox's audit actions
        from .request_logging import install_log_record_factory

        install_log_record_factory()

        register_channel(EmailChannel())
        if settings.MUNIS_SMS_BACKEND:  # a gateway is configured (core.sms): every app may send SMS
            from .sms import SmsChannel

            register_channel(SmsChannel())
        # the messages this very run wrote (reminders, escalations) are due too
        register_housekeeping("core.outbox.deliver", lambda now: outbox_deliver_due(now=max(now, timezone.now())))
        register_housekeeping("core.outbox.forget_sent", lambda now: outbox_forget_sent(now=now))


class StaticFilesConfig(BaseStaticFilesConfig):
    """Munis serves its own pages, never viewflow's bundled UI, whose CSS points
    at fonts the package does not ship (that breaks a production collectstatic)."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "viewflow"]
