"""The notification outbox: every notification is a row written in the transaction of the change it reports,
delivered afterwards through its channel (core.outbox.channels) with retries, by the timers on every run and, with
a job queue, by a Celery worker right after the commit. Nothing is lost while a mail server or the broker is
down, and neither adds a second to the request that wrote the message."""

from .channels import (
    Channel,
    EmailChannel,
    PermanentError,
    TransientError,
    channel_named,
    register_channel,
    register_mail_headers,
    registered_channels,
    unregister_channel,
)
from .services import (
    DeliveryRun,
    outbox_deliver,
    outbox_deliver_due,
    outbox_forget_sent,
    outbox_put,
    outbox_retry,
    retry_pause,
)

__all__ = [
    "Channel", "DeliveryRun", "EmailChannel", "PermanentError", "TransientError", "channel_named",
    "outbox_deliver", "outbox_deliver_due", "outbox_forget_sent", "outbox_put", "outbox_retry",
    "register_channel", "register_mail_headers", "registered_channels", "retry_pause", "unregister_channel",
]
