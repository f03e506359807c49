"""Text messages: the SMS gateway interface, its adapters, and the outbox channel that sends through it.

An ``SmsGateway`` hands one text to one phone number: ``send(to, text)`` returns once the gateway took it, or
raises the outbox's ``TransientError`` (try again later) or ``PermanentError`` (this message can never go). Which
gateway is used is a setting, ``MUNIS_SMS_BACKEND`` (a dotted path), read at each send, as Django reads
``EMAIL_BACKEND``:

* ``core.sms.HttpFormGateway`` — a generic HTTP gateway (FrontlineSMS-style; most gateways take it): a form post
  of ``to`` and ``text`` to ``MUNIS_SMS_GATEWAY_URL``, signed with ``MUNIS_SMS_GATEWAY_SECRET`` (core.webhooks);
* ``core.sms.ConsoleGateway`` — prints each message (``make run``);
* ``core.sms.FileGateway`` — appends each message to ``MUNIS_SMS_FILE_PATH``;
* ``core.sms.MemoryGateway`` — keeps them in ``MemoryGateway.sent`` (tests).

The core registers ``SmsChannel`` (outbox channel ``"sms"``) when a backend is configured, so any app can put an
SMS in the outbox: ``outbox_put(channel="sms", address=phone, body=text)``."""

import logging
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .outbox.channels import Channel, PermanentError, TransientError
from .webhooks import SIGNATURE_HEADER, sign_body

log = logging.getLogger("core.sms")

#: answers of an HTTP gateway that mean "not now" rather than "never": timeout, too early, too many, its faults
TRANSIENT_STATUSES = {408, 425, 429}


class SmsGateway:
    def send(self, to, text):
        raise NotImplementedError


class HttpFormGateway(SmsGateway):
    """POSTs ``to=<number>&text=<message>`` (``application/x-www-form-urlencoded``, UTF-8) to the gateway's URL with
    the body's signature in ``X-Munis-Signature``. A 2xx answer is success; 408, 425, 429, any 5xx, a timeout or no
    connection are transient; any other answer (a 4xx: the number or the text is refused) is permanent. A gateway
    that checks a plain key instead of the signature can be given it in the URL's query."""

    def __init__(self, url=None, secret=None, timeout=None):
        self.url = url or settings.MUNIS_SMS_GATEWAY_URL
        self.secret = secret if secret is not None else settings.MUNIS_SMS_GATEWAY_SECRET
        self.timeout = timeout or settings.MUNIS_SMS_GATEWAY_TIMEOUT

    def send(self, to, text):
        if not self.url:
            raise TransientError("No SMS gateway address (MUNIS_SMS_GATEWAY_URL) is configured.")
        body = urllib.parse.urlencode({"to": to, "text": text}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign_body(body, self.secret)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - the operator's URL
                response.read()
                return
        except urllib.error.HTTPError as exc:
            status, said = exc.code, _said(exc)
        except (urllib.error.URLError, OSError) as exc:  # refused, unreachable, timed out, TLS failed
            raise TransientError(f"SMS gateway unreachable: {getattr(exc, 'reason', exc)}") from exc
        message = f"SMS gateway answered {status}: {said}".rstrip(": ")
        if status in TRANSIENT_STATUSES or status >= 500:
            raise TransientError(message)
        raise PermanentError(message)


def _said(error):
    try:
        return error.read(300).decode(errors="replace").strip()
    except OSError:
        return ""


_write_lock = threading.Lock()


def _block(to, text):
    return f"SMS to {to} at {timezone.now().isoformat(timespec='seconds')}\n{text}\n{'-' * 70}\n"


class ConsoleGateway(SmsGateway):
    """Writes each message to standard output, as Django's console e-mail backend does."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to, text):
        with _write_lock:
            self.stream.write(_block(to, text))
            self.stream.flush()


class FileGateway(SmsGateway):
    """Appends each message to the file ``MUNIS_SMS_FILE_PATH``."""

    def send(self, to, text):
        with _write_lock, open(settings.MUNIS_SMS_FILE_PATH, "a", encoding="utf-8") as file:
            file.write(_block(to, text))


class MemoryGateway(SmsGateway):
    """Keeps each message in ``MemoryGateway.sent`` as ``(to, text)``; for tests."""

    sent = []

    def send(self, to, text):
        self.sent.append((to, text))


def gateway():
    """The configured gateway (``MUNIS_SMS_BACKEND``)."""
    path = settings.MUNIS_SMS_BACKEND
    if not path:
        raise TransientError("No SMS gateway (MUNIS_SMS_BACKEND) is configured.")
    return import_string(path)()


class SmsChannel(Channel):
    """The outbox's ``"sms"`` channel: a person is reached at the phone number of their account."""

    name = "sms"
    label = _("SMS")

    def address_for(self, user):
        return (getattr(user, "phone", "") or "").strip()

    def send(self, message):
        gateway().send(message.address, message.body)
