"""E-mails to the applicant at each step they can see. Always sent after
commit, in the applicant's language."""

from django.db import transaction

from core.mail import mail_user, site_link


def notify_applicant(application, event, **extra):
    def send():
        mail_user(application.applicant, f"eservices/email/{event}", application=application,
                  link=site_link("eservices:application", application.pk), **extra)

    transaction.on_commit(send)
