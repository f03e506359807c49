"""The project's settings, plus a small app of flows the engine's tests run."""

from config.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.flowapp"]  # noqa: F405
