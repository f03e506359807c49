"""Periodic housekeeping that apps register and the timers run after the due
timers (``manage.py run_timers``, Celery beat): e.g. the document store drops
expired upload sessions and makes pending previews. The timers need not know
which apps have such work."""

_jobs = {}


def register(name, job):
    """``job(now=...)`` runs on every timer run; a name registers once."""
    _jobs[name] = job


def run_all(now):
    for job in list(_jobs.values()):
        job(now=now)
