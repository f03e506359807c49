"""News of a report for the people who follow it, by e-mail (their account's, or the address they gave) or by
SMS (the phone they gave, when an SMS gateway is installed). Written to the outbox inside the change's
transaction (core.outbox): it goes out exactly when the change commits.

An SMS says what ``reports/sms/<event>.txt`` says, where there is one, else the e-mail's subject and the link. An
e-mail about a report carries its reference in its Message-ID (a reply's In-Reply-To names it) and, with
MUNIS_REPORTS_REPLY_TO, a Reply-To that names it too, so a reply joins the report (reports.inbound.mail)."""

from email.utils import make_msgid

from django.conf import settings
from django.core.mail.utils import DNS_NAME
from django.template import TemplateDoesNotExist
from django.utils import translation

from core.mail import mail_to, mail_user, render_text, site_link
from core.outbox import outbox_put
from core.outbox.channels import registered_channels

TEMPLATES = "reports/email"
SMS_TEMPLATES = "reports/sms"


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
        return outbox_put(channel="sms", address=follower.phone, body=_sms_text(event, language, context, subject),
                          language=language, about=report)
    return None


def _sms_text(event, language, context, subject):
    from .inbound.sms import command_word

    link = context["answer_link"] or context["link"]
    try:
        with translation.override(language):
            text = render_text(f"{SMS_TEMPLATES}/{event}.txt", {**context, "link": link,
                                                                 "status_word": command_word("status", language)})
    except TemplateDoesNotExist:
        return f"{subject} {link}"
    return " ".join(text.split())


def tell_followers(report, event, *, optional=False, exclude_reporter=False, **extra):
    """Every follower of the report hears of ``event`` (``reports/email/<event>.txt`` and its subject)."""
    for follower in report.followers.select_related("user"):
        if exclude_reporter and follower.reason == follower.Reason.REPORTER:
            continue
        _tell(follower, report, event, optional=optional, extra=extra)


def tell_reporter(report, event, *, follower=None, **extra):
    """The reporter hears of ``event`` (``follower``: their row, when the caller has it at hand; or an unsaved one
    for a reporter who does not follow the report, such as a caller who wants no updates: told once all the
    same)."""
    if follower is None:
        follower = report.followers.filter(reason="reporter").select_related("user").first()
    if follower is not None:
        _tell(follower, report, event, optional=False, extra={"follows": follower.pk is not None, **extra})


def mail_headers(message):
    """The headers of an e-mail about a report (core.outbox.register_mail_headers): its reference in the
    Message-ID, and a Reply-To naming it when MUNIS_REPORTS_REPLY_TO is set."""
    reference = message.object_label
    headers = {"Message-ID": make_msgid(idstring=reference, domain=DNS_NAME)}
    if settings.MUNIS_REPORTS_REPLY_TO and reference:
        headers["Reply-To"] = settings.MUNIS_REPORTS_REPLY_TO.format(reference=reference)
    return headers


def tell_staff(people, event, **context):
    for person in people:
        mail_user(person, f"{TEMPLATES}/{event}", about=context.get("report"), **context)
