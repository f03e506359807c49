"""Celery jobs of the core: delivering an outbox message right after its commit."""

from celery import shared_task

from .outbox import outbox_deliver, outbox_put


@shared_task(name="core.outbox.deliver", ignore_result=True)
def deliver_message(message_id):
    """Send one outbox message now. A failed try is scheduled on the message itself and made by the timers
    (``run_timers`` or beat), so this job is never retried by Celery."""
    return outbox_deliver(message_id=message_id)


@shared_task(name="core.send_message")
def send_message(subject, body, to):
    """An e-mail job queued before the outbox existed: it goes into the outbox, so an upgrade loses none."""
    outbox_put(channel="email", address=to, subject=subject, body=body)
