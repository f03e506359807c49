"""E-mail to one person, in their language: ``<template>_subject.txt`` and
``<template>.txt`` rendered with ``user`` and the given context."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def site_link(viewname, *args):
    return settings.SITE_URL.rstrip("/") + reverse(viewname, args=args)


def mail_user(user, template, **context):
    """Render and send now; callers in a service wrap this in ``transaction.on_commit``.
    Lazy values in ``context`` are translated into the user's language."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, **context}
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [user.email])
