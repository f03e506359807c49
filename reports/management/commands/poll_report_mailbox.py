"""``manage.py poll_report_mailbox``: take the reports' mailbox's unseen messages now (the timers do it on every
run when MUNIS_REPORTS_IMAP_HOST is set)."""

import imaplib

from django.core.management.base import BaseCommand, CommandError

from reports.inbound.mailbox import mailbox_configured, poll_mailbox


class Command(BaseCommand):
    help = "File the unseen messages of the reports' mailbox (MUNIS_REPORTS_IMAP_*) as problem reports."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=None, help="At most this many messages.")

    def handle(self, *args, batch=None, **options):
        if not mailbox_configured():
            raise CommandError("No reports' mailbox is configured: set MUNIS_REPORTS_IMAP_HOST (and _USER, "
                               "_PASSWORD).")
        try:
            run = poll_mailbox(batch=batch)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise CommandError(f"The mailbox could not be read: {exc}") from exc
        self.stdout.write(str(run))
