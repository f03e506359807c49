"""What the SMS and the e-mail intake share: taking a message in once, cleaning its text, guessing its language."""

import re
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction

from core.validators import INVISIBLE_CONTROLS

from ..models import DESCRIPTION_MAX, InboundMessage

#: languages written in Cyrillic: a message in Cyrillic is answered in the first of them the site ships
CYRILLIC_LANGUAGES = ("ru", "tg", "mn", "kk", "ky", "uk", "be", "bg", "sr", "mk", "uz-cyrl")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def message_take(*, channel, external_id, sender, text="", language=""):
    """Keep the message, in the caller's transaction; ``(message, True)``. ``(the earlier one, False)`` when a
    message with the same id was taken before, or is being taken by another request right now (the unique
    constraint makes this one wait for it, then answers its record)."""
    fields = {"channel": channel, "external_id": (external_id or "")[:255], "sender": (sender or "")[:255],
              "text": cut(text), "language": language}
    if not fields["external_id"]:
        return InboundMessage.objects.create(**fields), True
    earlier = InboundMessage.objects.filter(channel=channel, external_id=fields["external_id"]).first()
    if earlier is not None:
        return earlier, False
    try:
        with transaction.atomic():
            return InboundMessage.objects.create(**fields), True
    except IntegrityError:
        return InboundMessage.objects.get(channel=channel, external_id=fields["external_id"]), False


def message_done(message, *, outcome, report=None, language=None):
    message.outcome, message.report = outcome, report
    if language is not None:
        message.language = language
    message.save(update_fields=["outcome", "report", "language"])
    return message


def clean_text(text):
    """The text as a person meant it: no NUL, no invisible direction or zero-width characters (nobody sees them,
    and a report refuses them), no other control characters but line breaks and tabs, ``\\n`` line ends."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in text if char in "\n\t" or not (
        ord(char) in INVISIBLE_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Cs")))


def cut(text, limit=DESCRIPTION_MAX):
    """At most ``limit`` characters: a longer text is cut, with an ellipsis, rather than refused."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def site_languages():
    return [code for code, _name in settings.LANGUAGES]


def guess_language(text):
    """The site's language a text is probably in: the first Cyrillic one for Cyrillic text, else the default."""
    if _CYRILLIC.search(text or ""):
        for code in site_languages():
            if code.lower() in CYRILLIC_LANGUAGES:
                return code
    return settings.LANGUAGE_CODE
