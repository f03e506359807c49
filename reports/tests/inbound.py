"""What the intake tests share: a gateway that keeps what it is given, signed posts as a gateway or a mail
provider sends them, and the audit row of a filed report."""

from urllib.parse import urlencode

import pytest

from core.models import AuditEvent, OutboxMessage
from core.outbox import outbox_deliver_due, register_channel, registered_channels, unregister_channel
from core.sms import MemoryGateway, SmsChannel
from core.webhooks import SIGNATURE_HEADER, sign_body

SMS_SECRET = "the-gateway-and-munis-share-this"
MAIL_SECRET = "the-mail-provider-and-munis-share-this"


@pytest.fixture
def gateway(settings):
    """The SMS channel on, its messages kept by a memory gateway (the outside system); the gateway's secret set."""
    settings.MUNIS_SMS_BACKEND = "core.sms.MemoryGateway"
    settings.MUNIS_SMS_GATEWAY_SECRET = SMS_SECRET
    registered_here = "sms" not in registered_channels()
    if registered_here:
        register_channel(SmsChannel())
    MemoryGateway.sent.clear()
    yield MemoryGateway.sent
    MemoryGateway.sent.clear()
    if registered_here:
        unregister_channel("sms")


def post_sms(client, text, *, sender="+998 90 111 22 33", message_id="gw-1", secret=SMS_SECRET, signature=None,
             fields=None):
    body = urlencode(fields or {"from": sender, "text": text, "id": message_id}).encode()
    headers = {}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    elif secret:
        headers[SIGNATURE_HEADER] = sign_body(body, secret)
    return client.post("/sms/inbound/", body, content_type="application/x-www-form-urlencoded", headers=headers)


def texts_to(phone):
    return [m.body for m in OutboxMessage.objects.filter(channel="sms", address=phone).order_by("pk")]


def deliver():
    return outbox_deliver_due()


def submitted(report):
    """The report's ``reports.report.submit`` audit row."""
    return AuditEvent.objects.get(action="reports.report.submit", object_type="reports.report",
                                  object_id=str(report.pk))
