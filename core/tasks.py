"""Celery jobs of the core: e-mail delivery with retries (core.mail)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from .mail import MAIL_ERRORS

#: pauses double from MUNIS_MAIL_RETRY_SECONDS up to an hour; 24 tries cover about a day at the default
MAIL_RETRIES = 24
MAIL_RETRY_MAX_SECONDS = 3600


def retry_pause(retries):
    """Seconds to wait before try number ``retries + 1``."""
    return min(settings.MUNIS_MAIL_RETRY_SECONDS * 2 ** retries, MAIL_RETRY_MAX_SECONDS)


@shared_task(bind=True, name="core.send_message", max_retries=MAIL_RETRIES)
def send_message(self, subject, body, to):
    """Send a rendered e-mail; while the mail server is unreachable or refuses it, try again later."""
    try:
        send_mail(subject, body, None, [to])
    except MAIL_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_pause(self.request.retries)) from exc
