"""Notification channels: how an outbox message reaches its address.

A channel has a ``name`` (stored on each message), a ``label`` for people, ``address_for(user)`` (where that
user is reached on it, "" when they are not) and ``send(message)``, which returns when the message has been
handed over and raises ``TransientError`` (try again later: the server is down or busy) or ``PermanentError``
(this message can never go out as it is: the address or its content is refused). Anything else a channel raises
counts as transient, so a bug in one channel holds its messages back instead of losing them.

E-mail is registered by the core, and so is SMS when a gateway is configured (core.sms); SMS messages carry a
body only. An app may give the e-mails about its objects headers of their own (a Reply-To that names the case, a
Message-ID a reply's In-Reply-To will carry) with ``register_mail_headers``.
"""

import smtplib

from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _


class TransientError(Exception):
    """The message may go out later: the channel is unreachable, busy or deferring it."""


class PermanentError(Exception):
    """The channel refused this message for good; trying again would give the same answer."""


class Channel:
    name = ""
    label = ""

    def address_for(self, user):
        return ""

    def send(self, message):
        raise NotImplementedError


_channels: dict[str, Channel] = {}


def register_channel(channel):
    if not channel.name:
        raise ValueError("A channel needs a name.")
    if channel.name in _channels:
        raise ValueError(f"A channel named {channel.name!r} is already registered.")
    _channels[channel.name] = channel


def unregister_channel(name):
    _channels.pop(name, None)


def channel_named(name):
    try:
        return _channels[name]
    except KeyError:
        raise LookupError(f"No notification channel named {name!r} is installed.") from None


def registered_channels():
    return dict(_channels)


_mail_headers = {}


def register_mail_headers(object_type, headers_for):
    """E-mails about objects of ``object_type`` (``"app_label.model_name"``, as an outbox message names what it is
    about) get the headers ``headers_for(message)`` returns (a dict), computed when the e-mail is sent."""
    _mail_headers[object_type] = headers_for


class EmailChannel(Channel):
    """Through Django's e-mail backend (``EMAIL_*`` settings): SMTP, or any backend such as django-anymail."""

    name = "email"
    label = _("e-mail")

    def address_for(self, user):
        return user.email or ""

    def send(self, message):
        headers = {"Content-Language": message.language} if message.language else {}
        headers_for = _mail_headers.get(message.object_type)
        if headers_for is not None:
            headers.update(headers_for(message) or {})
        email = EmailMessage(message.subject, message.body, to=[message.address], headers=headers or None)
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            answers = list(exc.recipients.values())
            reason = "; ".join(_smtp_answer(code, text) for code, text in answers)
            if all(code >= 500 for code, _text in answers):
                raise PermanentError(reason) from exc
            raise TransientError(reason) from exc
        except smtplib.SMTPDataError as exc:  # the server read the message and answered for it
            if exc.smtp_code >= 500:
                raise PermanentError(_smtp_answer(exc.smtp_code, exc.smtp_error)) from exc
            raise TransientError(_smtp_answer(exc.smtp_code, exc.smtp_error)) from exc
        except smtplib.SMTPResponseException as exc:
            raise TransientError(_smtp_answer(exc.smtp_code, exc.smtp_error)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"{exc.__class__.__name__}: {exc}") from exc
        except ValueError as exc:  # an address Django cannot write into a header
            raise PermanentError(str(exc)) from exc


def _smtp_answer(code, text):
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return f"{code} {text}"
