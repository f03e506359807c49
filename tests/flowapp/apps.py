from django.apps import AppConfig


class FlowAppConfig(AppConfig):
    """Installed only by tests/settings.py: flows the engine's own tests run
    (two versions of one flow), found by the flow registry like any app's."""

    name = "tests.flowapp"
    label = "flowapp"
