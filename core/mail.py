"""E-mail to one person, in their language: ``<template>_subject.txt`` and
``<template>.txt`` rendered with ``user`` and the given context.

An e-mail is the news of something already committed (a submitted case, a task
waiting), so sending it never fails the request or job that caused it: with a
broker a Celery job sends it and retries while the mail server is unreachable
(``core.tasks.send_message``); inline (the embedded default) it is sent at once,
and a failure is logged with the recipient and subject."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)

#: what an unreachable or refusing mail server raises
MAIL_ERRORS = (smtplib.SMTPException, OSError)


def site_link(viewname, *args):
    return settings.SITE_URL.rstrip("/") + reverse(viewname, args=args)


def mail_user(user, template, **context):
    """Render now and hand over for delivery; callers in a service wrap this in ``transaction.on_commit``.
    Lazy values in ``context`` are translated into the user's language."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    deliver(subject, body, user.email)


def deliver(subject, body, to):
    """Send one rendered message to ``to`` without raising (see the module's docstring)."""
    if settings.CELERY_BROKER_URL:
        from .tasks import send_message

        try:
            send_message.apply_async((subject, body, to), retry=False)
            return
        except Exception:  # noqa: BLE001 - any broker failure: the message goes out inline instead
            logger.warning("The job queue refused the e-mail %r to %s; sending it now.", subject, to, exc_info=True)
    try:
        send_mail(subject, body, None, [to])
    except MAIL_ERRORS:
        logger.exception("The e-mail %r to %s could not be sent.", subject, to)
