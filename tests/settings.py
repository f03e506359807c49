"""The project's settings, plus the test apps: flows the engine's tests run, and a second e-service on the kernel."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.flowapp", "tests.faultapp"]  # noqa: F405

# The live server of the browser tests serves static files as `make run` does: WhiteNoise finds them where they
# live (static_src/, static_build/, node_modules), so pages are tested with their stylesheet and scripts.
# (pytest-django's own static handler only knows django.contrib.staticfiles by that name; ours is
# core.apps.StaticFilesConfig.)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# seed_demo files a few hundred problem reports for `make run`; the tests that run it need a few of each state
MUNIS_REPORTS_DEMO_COUNT = 24
