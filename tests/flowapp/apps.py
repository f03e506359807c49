from django.apps import AppConfig


class FlowAppConfig(AppConfig):
    """Installed only by tests/settings.py: flows the engine's own tests run
    (two versions of one flow), found by the flow registry like any app's; it
    plugs into the site as any e-service would (core.plugins): its page at
    /licences/, a staff link, a home-page section and demo data."""

    name = "tests.flowapp"
    label = "flowapp"
    url_prefix = "licences/"
