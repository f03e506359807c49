"""E-mails to the applicant at each step they can see. Written to the outbox in
the step's transaction, in the applicant's language."""

from core.mail import mail_user, site_link


def notify_applicant(application, event, *, templates="eservices/email", optional=False, **extra):
    """E-mail the applicant about ``event``: ``<templates>/<event>.txt`` and its
    ``_subject.txt`` (a service brings its own events' templates). ``optional``: news of
    progress the applicant may have turned off (core.mail.mail_user)."""
    mail_user(application.applicant, f"{templates}/{event}", about=application, application=application,
              link=site_link("eservices:application", application.pk), optional=optional, **extra)
