"""The Celery application: background jobs and the timers' beat in production.

Without ``CELERY_BROKER_URL`` (the embedded default) jobs run inline and
``make run`` runs the timers in a loop beside the web server instead of beat.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("munis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
