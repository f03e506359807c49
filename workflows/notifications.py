"""E-mails to staff about their tasks: reminders and escalations. Sent after
commit, each in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def notify_staff(users, event, *, task, **extra):
    recipients = [user for user in users if user.email]
    if not recipients:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("workflows:task", args=[task.pk])
    case = str(task.process.artifact or "")

    def send():
        for user in recipients:
            with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                step = str(task.flow_task.task_title or task.flow_task.name)
                context = {"user": user, "task": task, "link": link, **extra,
                           "title": f"{case} — {step}" if case else step}
                subject = render_to_string(f"workflows/email/{event}_subject.txt", context).strip()
                body = render_to_string(f"workflows/email/{event}.txt", context)
            send_mail(subject, body, None, [user.email])

    transaction.on_commit(send)
