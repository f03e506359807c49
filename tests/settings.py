"""The project's settings, plus the test apps: flows the engine's tests run, and a second e-service on the kernel."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.flowapp", "tests.faultapp"]  # noqa: F405
