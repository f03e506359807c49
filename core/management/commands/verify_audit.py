from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero and name the first bad row on tamper."

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.first_bad_id}: {report.reason} "
                f"({report.count} events read)."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.count} events verified."))
