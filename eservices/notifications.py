"""E-mails to the applicant at each step they can see. Always sent after
commit, in the applicant's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def notify_applicant(application, event, **extra):
    def send():
        user = application.applicant
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "application": application, "user": user, **extra,
                "link": settings.SITE_URL.rstrip("/") + reverse("eservices:application", args=[application.pk]),
            }
            subject = render_to_string(f"eservices/email/{event}_subject.txt", context).strip()
            body = render_to_string(f"eservices/email/{event}.txt", context)
        send_mail(subject, body, None, [user.email])

    transaction.on_commit(send)
