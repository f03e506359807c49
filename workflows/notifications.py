"""E-mails to staff about their tasks: reminders and escalations. Written to
the outbox in the caller's transaction, each in the recipient's language."""

from django.utils.functional import lazy

from core.mail import mail_user, site_link

from .flows import task_label


def notify_staff(users, event, *, task, optional=False, **extra):
    """``optional``: a notification the recipients may have turned off (core.mail.mail_user)."""
    recipients = [user for user in users if user.email]
    if not recipients:
        return
    link = site_link("workflows:task", task.pk)
    title = lazy(task_label, str)(task)  # named in each recipient's language
    for user in recipients:
        mail_user(user, f"workflows/email/{event}", about=task, task=task, link=link, title=title, optional=optional,
                  **extra)
