"""News of a report for the people who follow it, by e-mail (their account's, or the address they gave) or by
SMS (the phone they gave, when an SMS gateway is installed). Written to the outbox inside the change's
transaction (core.outbox): it goes out exactly when the change commits."""

from django.conf import settings
from django.utils import translation

from core.mail import mail_to, mail_user, render_text, site_link
from core.outbox import outbox_put
from core.outbox.channels import registered_channels

TEMPLATES = "reports/email"


def report_link(report):
    return site_link("reports:report", report.reference)


def staff_link(report):
    return site_link("reports:staff_report", report.reference)


def reporter_link(report):
    """The reporter's own page of the report, where they confirm it fixed without an account."""
    return site_link("reports:answer", report.reference, report.access_key)


def _context(report, follower, extra):
    is_reporter = follower is not None and follower.reason == follower.Reason.REPORTER
    return {"report": report, "link": report_link(report),
            "answer_link": reporter_link(report) if is_reporter else None, **extra}


def _render(template, language, context):
    with translation.override(language):
        subject = " ".join(render_text(f"{TEMPLATES}/{template}_subject.txt", context).split())
        body = render_text(f"{TEMPLATES}/{template}.txt", context)
    return subject, body


def _tell(follower, report, event, *, optional, extra):
    context = _context(report, follower, extra)
    if follower.user_id:
        return mail_user(follower.user, f"{TEMPLATES}/{event}", about=report, optional=optional, **context)
    language = follower.language or settings.LANGUAGE_CODE
    subject, body = _render(event, language, context)
    if follower.email:
        return mail_to(follower.email, subject, body, language=language, about=report)
    if follower.phone and "sms" in registered_channels():
        link = context["answer_link"] or context["link"]
        return outbox_put(channel="sms", address=follower.phone, body=f"{subject} {link}", language=language,
                          about=report)
    return None


def tell_followers(report, event, *, optional=False, exclude_reporter=False, **extra):
    """Every follower of the report hears of ``event`` (``reports/email/<event>.txt`` and its subject)."""
    for follower in report.followers.select_related("user"):
        if exclude_reporter and follower.reason == follower.Reason.REPORTER:
            continue
        _tell(follower, report, event, optional=optional, extra=extra)


def tell_reporter(report, event, *, follower=None, **extra):
    """The reporter hears of ``event`` (``follower``: their row, when the caller has it at hand)."""
    if follower is None:
        follower = report.followers.filter(reason="reporter").select_related("user").first()
    if follower is not None:
        _tell(follower, report, event, optional=False, extra=extra)


def tell_staff(people, event, **context):
    for person in people:
        mail_user(person, f"{TEMPLATES}/{event}", about=context.get("report"), **context)
