"""Celery jobs of the engine. Beat schedules ``workflows.run_timers``
(CELERY_BEAT_SCHEDULE in settings); it is safe to run on several workers at once."""

from celery import shared_task

from .timers import run_due_timers


@shared_task(name="workflows.run_timers")
def run_timers():
    return str(run_due_timers())
