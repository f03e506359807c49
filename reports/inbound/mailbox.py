"""The reports' mailbox, polled over IMAP by the timers (a housekeeping job) or ``manage.py poll_report_mailbox``.

Each unseen message of ``MUNIS_REPORTS_IMAP_FOLDER`` is read without marking it (``BODY.PEEK[]``) and taken in
(``mail.mail_receive``); then it is marked seen, or moved to ``MUNIS_REPORTS_IMAP_MOVE_TO``. A message that can
never be a report (unreadable, no sender) is logged, marked seen and flagged for a person to look at; a message
whose taking failed otherwise (the database was away) stays unseen and is tried on the next run. No message holds
up the ones after it, and a message taken twice (a lost connection after the commit) files one report."""

import imaplib
import logging
from dataclasses import dataclass

from django.conf import settings

from core.errors import DomainError

from ..models import InboundMessage
from .mail import mail_receive

log = logging.getLogger("reports.inbound")

Outcome = InboundMessage.Outcome


@dataclass
class PollRun:
    filed: int = 0
    added: int = 0
    ignored: int = 0
    again: int = 0  # taken before
    broken: int = 0  # can never be a report: seen and flagged
    failed: int = 0  # left unseen for the next run

    def __str__(self):
        return (f"filed {self.filed}, added to reports {self.added}, ignored {self.ignored}, taken before "
                f"{self.again}, unreadable {self.broken}, failed {self.failed}")


def mailbox_configured():
    return bool(settings.MUNIS_REPORTS_IMAP_HOST)


def _connect():
    imap = imaplib.IMAP4_SSL if settings.MUNIS_REPORTS_IMAP_SSL else imaplib.IMAP4
    connection = imap(settings.MUNIS_REPORTS_IMAP_HOST, settings.MUNIS_REPORTS_IMAP_PORT,
                      timeout=settings.MUNIS_REPORTS_IMAP_TIMEOUT)
    try:
        connection.login(settings.MUNIS_REPORTS_IMAP_USER, settings.MUNIS_REPORTS_IMAP_PASSWORD)
    except BaseException:
        connection.shutdown()
        raise
    return connection


def _fetch(connection, number):
    status, data = connection.fetch(number, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data or ():
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _done(connection, number):
    if settings.MUNIS_REPORTS_IMAP_MOVE_TO:
        status, _data = connection.copy(number, settings.MUNIS_REPORTS_IMAP_MOVE_TO)
        if status == "OK":
            connection.store(number, "+FLAGS", r"(\Seen \Deleted)")
            return True
        log.warning("Could not move e-mail %s to %s; it is marked seen instead.", number,
                    settings.MUNIS_REPORTS_IMAP_MOVE_TO)
    connection.store(number, "+FLAGS", r"(\Seen)")
    return False


def poll_mailbox(*, batch=None):
    """Take the mailbox's unseen messages (at most ``batch``, default MUNIS_REPORTS_IMAP_BATCH); returns what
    became of them. Raises the IMAP client's errors (``imaplib.IMAP4.error``, ``OSError``) when the server cannot be
    reached or refuses the sign-in or the folder."""
    batch = batch or settings.MUNIS_REPORTS_IMAP_BATCH
    run = PollRun()
    connection = _connect()
    try:
        status, _data = connection.select(settings.MUNIS_REPORTS_IMAP_FOLDER)
        if status != "OK":
            raise imaplib.IMAP4.error(f"The folder {settings.MUNIS_REPORTS_IMAP_FOLDER!r} cannot be opened.")
        status, data = connection.search(None, "UNSEEN")
        numbers = (data[0] or b"").split()[:batch] if status == "OK" and data else []
        expunge = False
        for number in numbers:
            raw = _fetch(connection, number)
            if raw is None:
                log.warning("E-mail %s of the reports' mailbox could not be fetched; tried again next time.", number)
                run.failed += 1
                continue
            try:
                result = mail_receive(raw=raw)
            except DomainError as refused:
                log.warning("E-mail %s of the reports' mailbox cannot be a report (%s); marked seen and flagged.",
                            number, refused.message)
                connection.store(number, "+FLAGS", r"(\Seen \Flagged)")
                run.broken += 1
                continue
            except Exception:  # noqa: BLE001 - one message must not hold up the mailbox; it is tried again next run
                log.exception("E-mail %s of the reports' mailbox failed; it stays unseen for the next run.", number)
                run.failed += 1
                continue
            if result.duplicate:
                run.again += 1
            elif result.outcome == Outcome.REPORT:
                run.filed += 1
            elif result.outcome == Outcome.REPLY:
                run.added += 1
            else:
                run.ignored += 1
            expunge = _done(connection, number) or expunge
        if expunge:
            connection.expunge()
        connection.close()
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    if numbers:
        log.info("Reports' mailbox: %s", run)
    return run


def poll_mailbox_job(now=None):
    """The timers' housekeeping job: poll when a mailbox is configured; a server that is down costs a warning."""
    if not mailbox_configured():
        return None
    try:
        return poll_mailbox()
    except (imaplib.IMAP4.error, OSError) as exc:
        log.warning("The reports' mailbox %s could not be read: %s", settings.MUNIS_REPORTS_IMAP_HOST, exc)
    except Exception:  # noqa: BLE001 - the timers' other jobs run whatever happens here
        log.exception("Polling the reports' mailbox failed.")
    return None
