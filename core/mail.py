"""E-mail to one person, in their language: ``<template>_subject.txt`` and
``<template>.txt`` rendered with ``user`` and the given context.

An e-mail is the news of a change, so it is written to the outbox (core.outbox)
in the transaction of that change: it goes out if and only if the change
commits, and a mail server or a job queue that is down never fails or slows the
request or job that caused it. Call it inside the service's transaction."""

from django.conf import settings
from django.template import engines
from django.urls import reverse
from django.utils import translation

from .outbox import outbox_put


def render_text(template_name, context):
    """Render a plain-text template (an e-mail, its subject) with the "text" engine, which does not escape:
    HTML escaping in plain text would show a name like O'g'li as O&#x27;g&#x27;li. Every e-mail is rendered
    here, so no template needs its own ``{% autoescape off %}``."""
    return engines["text"].get_template(template_name).render(context)


def site_link(viewname, *args):
    return settings.SITE_URL.rstrip("/") + reverse(viewname, args=args)


def mail_user(user, template, *, about=None, optional=False, **context):
    """Render now and put the message in the outbox; ``about`` names what it reports, for the staff who look
    at deliveries. Lazy values in ``context`` are translated into the user's language. A user without an
    e-mail address gets nothing.

    ``optional``: news the person need not have (a case's progress, a reminder), which they can turn off on
    their profile (``user.optional_notifications``); what they must know (a correction asked, a decision, a
    case closed) is sent whatever they chose. Returns the outbox message, or None when none was written."""
    if not user.email or (optional and not user.optional_notifications):
        return None
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"user": user, **context}
        subject = " ".join(render_text(f"{template}_subject.txt", context).split())
        body = render_text(f"{template}.txt", context)
    return mail_to(user.email, subject, body, recipient=user, language=language, about=about)


def mail_to(address, subject, body, *, recipient=None, language="", about=None):
    """Put an already rendered e-mail in the outbox (see the module's docstring)."""
    return outbox_put(channel="email", address=address, subject=subject, body=body, recipient=recipient,
                      language=language, about=about)
