from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig


class CoreConfig(AppConfig):
    default = True  # this module holds two configs: without it Django would make a plain one for "core"
    name = "core"
    verbose_name = "Core"
    url_prefix = "audit/"  # the auditor's search and trails (core.plugins mounts it)

    def ready(self):
        from . import audit, plugins  # noqa: F401  core's own audit actions; the plug-in points' checks


class StaticFilesConfig(BaseStaticFilesConfig):
    """Munis serves its own pages, never viewflow's bundled UI, whose CSS points
    at fonts the package does not ship (that breaks a production collectstatic)."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "viewflow"]
