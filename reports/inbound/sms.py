"""Problem reports by SMS, and the answers to them.

An SMS starts with a keyword, in any language the site ships, matched whatever its case:

* a category's SMS keyword (the first of its keywords in that language: ``WATER no water since Monday``,
  ``ВОДА нет воды с понедельника``) files a report of that category;
* the generic ``REPORT`` (``ЖАЛОБА`` …) files one without a category, for the moderator to classify;
* ``STATUS PR-2026-000123`` (``СТАТУС …``) answers how the report stands, in words;
* ``HELP`` (``ПОМОЩЬ``), an unknown keyword, or a keyword with nothing after it, answers with the keywords.

The answer is in the language of the keyword (an unknown word: the language its script suggests, else the site's).
A report's answer is its "received" notice with its reference (reports.notifications), and its sender (the report's
private ``contact_phone``) follows it by SMS. Every answer goes through the outbox's ``sms`` channel, written in the
transaction that took the message. The generic words are ``COMMANDS``, extended by MUNIS_REPORTS_SMS_COMMANDS."""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import audit
from core.errors import DomainError
from core.outbox import outbox_put, registered_channels

from .. import notifications
from ..models import Category, InboundMessage, Report
from ..services import REFERENCE_SERIES, report_submit
from .common import clean_text, cut, guess_language, message_done, message_take, site_languages

log = logging.getLogger("reports.inbound")

Outcome = InboundMessage.Outcome

#: the words an SMS may start with besides the categories' keywords, per command and language; the first of
#: each language is the one the help shows
COMMANDS = {
    "report": {"en": ["report", "problem"], "ru": ["жалоба", "проблема", "заявка"]},
    "status": {"en": ["status"], "ru": ["статус"]},
    "help": {"en": ["help", "info"], "ru": ["помощь", "справка"]},
}

_FIRST_WORD = re.compile(r"^\s*([^\s:;,.!?]+)[\s:;,.!?]*(.*)$", re.DOTALL)
_REFERENCE = re.compile(rf"(?:{REFERENCE_SERIES}|ПР)\s*-?\s*(\d{{4}})\s*-?\s*(\d{{1,6}})\b", re.IGNORECASE)


def normal(word):
    """A word as keywords are compared: case-folded, ё as е, without the punctuation around it."""
    return (word or "").casefold().replace("ё", "е").strip(".,:;!?-—()\"'«»")


def commands():
    """``{command: {language: [words]}}``: COMMANDS with MUNIS_REPORTS_SMS_COMMANDS over it."""
    merged = {kind: {lang: list(words) for lang, words in by_language.items()}
              for kind, by_language in COMMANDS.items()}
    for kind, by_language in (settings.MUNIS_REPORTS_SMS_COMMANDS or {}).items():
        for lang, words in by_language.items():
            merged.setdefault(kind, {})[lang] = [normal(word) for word in words if normal(word)]
    return merged


def command_word(kind, language):
    """The word of ``kind`` shown to someone writing in ``language``, as they would type it (upper-case)."""
    table = commands().get(kind, {})
    words = table.get(language) or table.get(settings.LANGUAGE_CODE) or [kind]
    return words[0].upper()


def _category_keywords(category, language):
    text = getattr(category, f"keywords_{language.replace('-', '_')}", "") or ""
    return [word.strip() for word in text.split(",") if word.strip()]


@dataclass(frozen=True)
class Keyword:
    kind: str  # "category", "report", "status" or "help"
    language: str
    category: Category | None = None


def keyword_index():
    """``{word: Keyword}`` of every shipped language: the commands, then each active category's SMS keyword (the
    first of its keywords in each language). Where two share a word, a command wins, then the category first in
    the catalog's order."""
    languages = site_languages()
    index = {}
    for kind, by_language in commands().items():
        for lang in languages:
            for word in by_language.get(lang, ()):
                index.setdefault(normal(word), Keyword(kind, lang))
    for category in Category.objects.filter(active=True).order_by("order", "code"):
        for lang in languages:
            words = _category_keywords(category, lang)
            if words and normal(words[0]):
                index.setdefault(normal(words[0]), Keyword("category", lang, category))
    return index


@dataclass(frozen=True)
class Parsed:
    keyword: Keyword | None
    word: str  # the first word, as it was sent
    rest: str  # what follows it

    @property
    def language(self):
        return self.keyword.language if self.keyword else guess_language(self.word)


def parse(text, index=None):
    """The keyword an SMS starts with (None: none we know) and the text after it."""
    match = _FIRST_WORD.match(clean_text(text))
    if match is None:
        return Parsed(None, "", "")
    word, rest = match.group(1), match.group(2).strip()
    index = keyword_index() if index is None else index
    return Parsed(index.get(normal(word)), word, rest)


def reference_in(text):
    """The report reference named in ``text`` (``PR-2026-000123``, ``pr 2026 123`` …), written as references are."""
    match = _REFERENCE.search(text or "")
    if match is None:
        return None
    return f"{REFERENCE_SERIES}-{match.group(1)}-{int(match.group(2)):06d}"


@dataclass(frozen=True)
class SmsResult:
    """What an SMS became: ``outcome`` (InboundMessage.Outcome), the report it filed or asked about, whether an
    answer was put in the outbox, and whether it was a second delivery of a message taken before."""

    outcome: str
    reference: str | None = None
    replied: bool = False
    duplicate: bool = False

    def as_json(self):
        return {"outcome": self.outcome, "reference": self.reference, "replied": self.replied,
                "duplicate": self.duplicate}


def sms_receive(*, sender, text, message_id=""):
    """Take one incoming SMS (the gateway's webhook): file a report, answer a status or help. The same
    ``message_id`` taken twice does nothing the second time (its first outcome is returned)."""
    sender = " ".join((sender or "").split())[:32]
    text = clean_text(text).strip()
    parsed = parse(text)
    language = parsed.language
    with transaction.atomic():
        message, first = message_take(channel=Report.Channel.SMS, external_id=message_id, sender=sender, text=text,
                                      language=language)
        if not first:
            return SmsResult(message.outcome, message.report.reference if message.report_id else None,
                             duplicate=True)
        keyword = parsed.keyword
        if keyword is not None and keyword.kind in ("category", "report") and parsed.rest:
            try:
                with transaction.atomic():
                    report = report_submit(channel=Report.Channel.SMS, description=cut(parsed.rest),
                                           category=keyword.category, contact_phone=sender, language=language,
                                           external_id=message_id)
            except DomainError as refused:
                return _answer_help(message, sender, language, reason="refused", detail=str(refused.message))
            message_done(message, outcome=Outcome.REPORT, report=report)
            return SmsResult(Outcome.REPORT, report.reference, replied="sms" in registered_channels())
        if keyword is not None and keyword.kind == "status":
            return _answer_status(message, sender, language, parsed.rest)
        if keyword is None:
            reason = "unknown_keyword" if parsed.word else "empty"
        else:
            reason = "help" if keyword.kind == "help" else "no_text"
        return _answer_help(message, sender, language, reason=reason, detail=parsed.word)


def _reply(message, text, language):
    if "sms" not in registered_channels():
        log.warning("No SMS gateway is configured: the answer to %s was not sent: %s", message, text)
        return False
    outbox_put(channel="sms", address=message.sender, body=text, language=language, about=message)
    return True


def _answer_status(message, sender, language, rest):
    reference = reference_in(rest)
    report = Report.objects.filter(reference=reference).select_related("duplicate_of").first() if reference else None
    # what anyone may know of it; a report not on public view is answered only to a phone that follows it
    if report is not None and not (report.is_public or report.followers.filter(phone=sender).exists()):
        report = None
    with translation.override(language):
        if reference is None:
            word = command_word("status", language)
            text = _("Send %(word)s and the report's number, for example: %(word)s %(example)s.") % {
                "word": word, "example": f"{REFERENCE_SERIES}-{timezone.now().year}-000123"}
        elif report is None:
            text = _("There is no report %(reference)s. Check the number in the message we sent you.") % {
                "reference": reference}
        else:
            text = _("Report %(reference)s: %(status)s.") % {"reference": report.reference,
                                                             "status": report.get_status_display()}
            if report.duplicate_of_id:
                text += " " + _("It reports the same problem as %(reference)s.") % {
                    "reference": report.duplicate_of.reference}
            if report.is_public:
                text += " " + notifications.report_link(report)
    replied = _reply(message, text, language)
    audit.record(actor=None, action="reports.inbound.status", obj=message,
                 after={"reference": reference, "found": report is not None, "language": language,
                        "replied": replied})
    message_done(message, outcome=Outcome.STATUS, report=report)
    return SmsResult(Outcome.STATUS, report.reference if report else None, replied=replied)


def help_text(language, *, reason="help", detail=""):
    """The keywords of ``language`` and how to use them, after what went wrong (``reason``: ``unknown_keyword``
    with the word in ``detail``, ``no_text``, ``refused`` with the refusal in ``detail``, ``empty``, ``help``)."""
    with translation.override(language):
        words = [_category_keywords(category, language)[0].upper()
                 for category in Category.objects.filter(active=True).order_by("order", "code")
                 if _category_keywords(category, language)]
        report_word = command_word("report", language)
        parts = []
        if reason == "unknown_keyword":
            parts.append(_("We did not understand “%(word)s”.") % {"word": detail[:30]})
        elif reason == "no_text":
            parts.append(_("Say what is wrong after the keyword."))
        elif reason == "refused":
            parts.append(_("Your report could not be filed: %(reason)s") % {"reason": detail})
        parts.append(_("To report a problem, text a keyword and what is wrong, for example: %(example)s.") % {
            "example": f"{report_word} " + _("no water at Navoi street 5")})
        parts.append(_("Keywords: %(keywords)s.") % {"keywords": ", ".join([*words, report_word])})
        parts.append(_("To ask how a report stands: %(word)s and its number.") % {
            "word": command_word("status", language)})
        return " ".join(parts)


def _answer_help(message, sender, language, *, reason, detail):
    text = help_text(language, reason=reason, detail=detail)
    replied = _reply(message, text, language)
    audit.record(actor=None, action="reports.inbound.help", obj=message,
                 after={"reason": reason, "word": (detail or "")[:40] if reason != "refused" else "",
                        "language": language, "replied": replied})
    log.info("SMS %s answered with help (%s)", message, reason)
    message_done(message, outcome=Outcome.HELP)
    return SmsResult(Outcome.HELP, replied=replied)
