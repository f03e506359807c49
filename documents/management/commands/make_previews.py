from django.core.management.base import BaseCommand

from documents.previews import previews_make_pending


class Command(BaseCommand):
    help = ("Make the first-page previews of document versions that have none yet (the timers do this in the "
            "background too); a file that cannot be rendered is marked failed.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=50, help="at most this many versions (default 50)")

    def handle(self, *args, limit=50, **options):
        done = previews_make_pending(limit=limit)
        summary = ", ".join(f"{status} {count}" for status, count in sorted(done.items())) or "nothing to do"
        self.stdout.write(f"Previews: {summary}")
