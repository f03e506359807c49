"""Problem reports by e-mail, from the reports' mailbox (``mailbox``) or a provider's webhook.

A message becomes a report (channel e-mail, moderated first): its subject and its plain text (quoted replies and
the signature cut off) are the description, cut to the limit rather than refused; its sender's address is the
report's private contact and follows it; its image attachments are its photos. Its Message-ID is its id: the same
message taken twice files one report.

A reply joins its report instead: a message whose subject, recipients, In-Reply-To or References name a report's
reference (our e-mails carry it in all of these) is added to that report, audited as ``reports.report.mail_reply``
with its text and photos, when it comes from the report's contact address, a follower's or the reporter's account's.
From anyone else it opens a new report: nobody writes into another person's report.

Automatic messages (out-of-office answers, bounces, our own notices coming back) are taken and ignored, so two
auto-responders cannot make reports of each other's answers."""

import email
import email.policy
import hashlib
import html
import logging
import re
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.errors import DomainError, ValidationFailed

from ..models import InboundMessage, Report
from ..services import REFERENCE_SERIES, _store_photos, report_submit
from .common import clean_text, cut, guess_language, message_done, message_take, site_languages

log = logging.getLogger("reports.inbound")

Outcome = InboundMessage.Outcome
#: photos taken from one message, at most
MAX_PHOTOS = 5
_REFERENCE = re.compile(rf"\b{REFERENCE_SERIES}-(\d{{4}})-(\d{{6}})\b", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw|sv|ответ|отв|пересл)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
#: a line where the quoted message a reply carries begins
_QUOTE_HEADER = re.compile(
    r"^\s*(on\s.+\swrote:|.+\s(wrote|пишет|написал|написала|написал\(а\)):|-{2,}\s*(original message|исходное "
    r"сообщение|forwarded message|пересылаемое сообщение)\s*-{2,}|_{10,})\s*$", re.IGNORECASE)
#: the first line of an Outlook-style quoted header block ("From: … / Sent: …")
_QUOTE_FROM = re.compile(r"^\s*(from|от|de|von):\s", re.IGNORECASE)
_QUOTE_NEXT = re.compile(r"^\s*(sent|date|to|отправлено|дата|кому):\s", re.IGNORECASE)
#: a phone's line that is no part of the message
_SENT_FROM = re.compile(r"^\s*(sent from my |get outlook for |отправлено (с|из) )", re.IGNORECASE)


class MailUnreadable(ValidationFailed):
    code = "mail_unreadable"
    default_message = gettext_lazy("The message could not be read as an e-mail.")


@dataclass
class Mail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    language: str
    automatic: bool
    references: list = field(default_factory=list)
    images: list = field(default_factory=list)  # [(file name, content type, bytes)]

    @property
    def description(self):
        subject = _SUBJECT_PREFIX.sub("", self.subject).strip()
        return cut("\n\n".join(part for part in (subject, self.text) if part))


# --- reading a message -------------------------------------------------------------------------------------

def _header(message, name):
    try:
        value = message.get(name)
        return clean_text(str(value)).strip() if value is not None else ""
    except (ValueError, TypeError, IndexError, LookupError, AttributeError):  # a header the parser cannot decode
        return ""


def _all_headers(message, name):
    try:
        return [clean_text(str(value)) for value in (message.get_all(name) or [])]
    except (ValueError, TypeError, IndexError, LookupError, AttributeError):
        return []


def _text_of(part):
    try:
        return part.get_content()
    except (LookupError, ValueError, AssertionError, AttributeError):  # an unknown charset, a broken encoding
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _html_to_text(markup):
    markup = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d)>", "\n", markup)
    markup = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "\n", markup)  # what a reply quotes
    return html.unescape(strip_tags(markup))


def _body(message):
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except (KeyError, ValueError, AttributeError):
        part = None
    if part is None:
        return ""
    text = _text_of(part)
    return _html_to_text(text) if part.get_content_subtype() == "html" else text


def without_quotes(text):
    """The text a person wrote: before the message it quotes, without lines quoted with ">", without the
    signature (after "-- ") and the phone's "Sent from my …" line."""
    kept = []
    lines = clean_text(text).split("\n")
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        if _QUOTE_HEADER.match(line) or (_QUOTE_FROM.match(line) and _QUOTE_NEXT.match(following)):
            break
        if line.rstrip() in ("--", "-- ", "—"):
            break
        if line.lstrip().startswith(">") or _SENT_FROM.match(line):
            continue
        kept.append(line.rstrip())
    text = "\n".join(kept)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _images(message):
    found = []
    for number, part in enumerate(message.walk(), start=1):
        if part.get_content_maintype() != "image" or len(found) >= MAX_PHOTOS:
            continue
        try:
            content = part.get_payload(decode=True)
        except (ValueError, TypeError, AssertionError):
            content = None
        if not content:
            continue
        name = part.get_filename() or f"photo-{number}.{part.get_content_subtype()}"
        found.append((clean_text(name)[:200] or f"photo-{number}", part.get_content_type(), content))
    return found


def _automatic(message, sender):
    auto_submitted = _header(message, "Auto-Submitted").lower()
    precedence = _header(message, "Precedence").lower()
    local = sender.partition("@")[0].lower()
    ours = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()
    return bool((auto_submitted and auto_submitted != "no") or precedence in ("bulk", "junk", "list", "auto_reply")
                or _header(message, "X-Autoreply") or _header(message, "X-Autorespond")
                or message.get_content_type() == "multipart/report"
                or local in ("mailer-daemon", "postmaster") or (ours and sender == ours))


def references_in(*texts):
    """Report references named in ``texts``, first seen first, each once."""
    found = []
    for text in texts:
        for match in _REFERENCE.finditer(text or ""):
            reference = f"{REFERENCE_SERIES}-{match.group(1)}-{match.group(2)}"
            if reference not in found:
                found.append(reference)
    return found


def read_mail(raw):
    """A raw RFC 822 message (bytes) as a ``Mail``; ``MailUnreadable`` when it is not one."""
    if not raw or not raw.strip():
        raise MailUnreadable(_("The message is empty."))
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except (ValueError, TypeError, IndexError, LookupError) as exc:
        raise MailUnreadable(_("The message could not be read as an e-mail.")) from exc
    name, sender = parseaddr(_header(message, "From"))
    sender = sender.strip().lower()
    if "@" not in sender:
        raise MailUnreadable(_("The message has no sender's address (From)."))
    message_id = _header(message, "Message-ID").strip("<> ")
    if not message_id:  # the same bytes delivered twice are still one message
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    subject = _header(message, "Subject")
    text = without_quotes(_body(message))
    recipients = " ".join(address for _name, address in getaddresses(
        [*_all_headers(message, "To"), *_all_headers(message, "Cc"), *_all_headers(message, "Delivered-To"),
         *_all_headers(message, "X-Original-To")]))
    language = _header(message, "Content-Language").split(",")[0].strip().lower()
    if language not in site_languages():
        language = guess_language(f"{subject} {text}")
    return Mail(message_id=message_id[:255], sender=sender[:254], sender_name=clean_text(name).strip()[:200],
                subject=subject, text=text, language=language, automatic=_automatic(message, sender),
                references=references_in(subject, recipients, _header(message, "In-Reply-To"),
                                         _header(message, "References")),
                images=_images(message))


# --- what a message becomes ------------------------------------------------------------------------------

def checked_photos(mail):
    """The message's images that pass the photo checks (reports.photos), metadata stripped; an attachment that is
    not a photo, or too large, is left out with a note in the log, never the message."""
    from ..photos import checked_photo

    photos = []
    for name, content_type, content in mail.images:
        try:
            photos.append(checked_photo(SimpleUploadedFile(name, content, content_type=content_type),
                                        field="photo"))
        except DomainError as refused:
            log.info("A photo of e-mail %s was left out: %s", mail.message_id, refused.message)
        except ImportError:
            # documents.images (stripping a photo's metadata) is not installed yet: no photo is kept unstripped
            log.warning("Photos of e-mail %s were left out: documents.images is not installed.", mail.message_id)
            return []
    return photos


def may_write_into(report, address):
    """Whether mail from ``address`` may be added to ``report``: the report's contact address, its reporter's
    account's, or a follower's (the address they gave, or their account's)."""
    address = (address or "").lower()
    if not address:
        return False
    if report.contact_email.lower() == address:
        return True
    if report.reporter_id and (report.reporter.email or "").lower() == address:
        return True
    return report.followers.filter(Q(email__iexact=address) | Q(user__email__iexact=address)).exists()


def thread_of(mail):
    """The report a message is a reply to: the first report it names that its sender may write into (a report
    merged into another: that other); None for a new report."""
    for reference in mail.references:
        report = Report.objects.filter(reference=reference).select_related("reporter", "duplicate_of").first()
        if report is None:
            continue
        if report.duplicate_of_id and may_write_into(report.duplicate_of, mail.sender):
            return report.duplicate_of
        if may_write_into(report, mail.sender):
            return report
    return None


def report_add_mail_reply(*, report, sender, text, photos=()):
    """An e-mail from the reporter (or a follower) about their report: its text goes on the report's trail for
    the staff, its photos among the report's."""
    text = cut(text)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if photos:
            _store_photos(report, photos, actor=None)
        audit.record(actor=None, action="reports.report.mail_reply", obj=report,
                     after={"from": sender, "comment": text, "photos": len(photos)})
    return report


@dataclass(frozen=True)
class MailResult:
    outcome: str
    reference: str | None = None
    duplicate: bool = False

    def as_json(self):
        return {"outcome": self.outcome, "reference": self.reference, "duplicate": self.duplicate}


def mail_receive(*, raw):
    """Take one incoming e-mail (raw RFC 822 bytes): file it as a report, add it to the report it answers, or
    ignore an automatic message. ``MailUnreadable`` (or another ValidationFailed) for a message that cannot be a
    report; nothing is stored then. The same message taken twice does nothing the second time."""
    mail = read_mail(raw)
    photos = [] if mail.automatic else checked_photos(mail)
    with transaction.atomic():
        message, first = message_take(channel=Report.Channel.EMAIL, external_id=mail.message_id, sender=mail.sender,
                                      text=mail.description, language=mail.language)
        if not first:
            return MailResult(message.outcome, message.report.reference if message.report_id else None,
                              duplicate=True)
        if mail.automatic:
            log.info("E-mail %s from %s is an automatic message: ignored.", mail.message_id, mail.sender)
            message_done(message, outcome=Outcome.IGNORED)
            return MailResult(Outcome.IGNORED)
        report = thread_of(mail)
        if report is not None:
            report_add_mail_reply(report=report, sender=mail.sender, text=mail.text or mail.description,
                                  photos=photos)
            message_done(message, outcome=Outcome.REPLY, report=report)
            return MailResult(Outcome.REPLY, report.reference)
        description = mail.description or (_("(A photo sent by e-mail, without text.)") if photos else "")
        report = report_submit(channel=Report.Channel.EMAIL, description=description, contact_email=mail.sender,
                               contact_name=mail.sender_name, language=mail.language, photos=photos,
                               external_id=mail.message_id)
        message_done(message, outcome=Outcome.REPORT, report=report)
        return MailResult(Outcome.REPORT, report.reference)
