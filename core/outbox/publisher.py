"""Tells the Celery workers about a committed message, from a background thread.

Publishing to the broker means a network round trip, and a broker that is down or unreachable can take seconds
to say so. The request (or job) that wrote the message must not wait for that: it only drops the message's id
into an in-process queue, and this thread hands it to the broker. If the broker does not take it, nothing is
lost: the message stays pending in the outbox and the timers deliver it. After a failure the thread keeps quiet
towards that broker for a while, so an outage costs one warning and no queue of attempts.
"""

import logging
import os
import queue
import threading
import time

from django.conf import settings

log = logging.getLogger("core.outbox")

#: ids waiting to be published; beyond that they are left to the timers
QUEUE_SIZE = 10_000
#: seconds a broker that refused a publish is left alone
QUIET_SECONDS = 30


class Publisher:
    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None

    def submit(self, message_id):
        """Queue ``message_id`` for publishing; returns at once."""
        with self._lock:
            if self._pid != os.getpid():  # first use in this process, or a worker forked from a parent that used it
                self._start()
            with self._idle:
                self._unfinished += 1
        try:
            self._queue.put_nowait(message_id)
        except queue.Full:
            self._finished()
            log.warning("Outbox message %s is left to the timers: %s ids wait for the broker already.",
                        message_id, QUEUE_SIZE)

    def wait_idle(self, timeout=None):
        """Wait until every submitted id has been handed over (or given up on); False on timeout."""
        if self._pid != os.getpid():
            return True
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def _start(self):
        self._pid = os.getpid()
        self._queue = queue.Queue(QUEUE_SIZE)
        self._idle = threading.Condition()
        self._unfinished = 0
        self._quiet_until = {}
        threading.Thread(target=self._run, args=(self._queue,), name="outbox-publisher", daemon=True).start()

    def _run(self, ids):
        from core.tasks import deliver_message

        while True:
            message_id = ids.get()
            broker = settings.CELERY_BROKER_URL
            try:
                if time.monotonic() >= self._quiet_until.get(broker, 0):
                    deliver_message.apply_async((message_id,), retry=False)
            except Exception:  # noqa: BLE001 - whatever the broker's client raises, the timers deliver the message
                self._quiet_until[broker] = time.monotonic() + QUIET_SECONDS
                log.warning("The job queue did not take outbox message %s; it waits for the timers.", message_id,
                            exc_info=True)
            finally:
                self._finished()

    def _finished(self):
        with self._idle:
            self._unfinished -= 1
            self._idle.notify_all()


publisher = Publisher()
