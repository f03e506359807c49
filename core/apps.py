from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class CoreConfig(AppConfig):
    default = True  # this module holds a second AppConfig (below): without this, Django would ignore both
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import audit  # noqa: F401  registers core's own audit actions
        from .request_logging import install_log_record_factory

        install_log_record_factory()


class StaticFilesConfig(BaseStaticFilesConfig):
    """Munis serves its own pages, never viewflow's bundled UI, whose CSS points
    at fonts the package does not ship (that breaks a production collectstatic)."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "viewflow"]
