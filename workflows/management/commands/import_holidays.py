from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from core.errors import ValidationFailed
from workflows.holidays import MAX_LIST_BYTES, holidays_import, parse_holiday_list


class Command(BaseCommand):
    help = ("Import a yearly list of holidays (CSV: YYYY-MM-DD,name per line) into an organisation's calendar; "
            "organisations below it inherit them.")

    def add_arguments(self, parser):
        parser.add_argument("organisation", help="organisation code, e.g. city-hall")
        parser.add_argument("file", help="CSV file; '-' reads standard input")

    def handle(self, *args, organisation, file, **options):
        org = Organisation.objects.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"No organisation with code {organisation!r}.")
        try:
            if file == "-":
                import sys

                text = sys.stdin.read(MAX_LIST_BYTES + 1)
            else:
                with open(file, encoding="utf-8-sig") as handle:
                    text = handle.read(MAX_LIST_BYTES + 1)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        if len(text) > MAX_LIST_BYTES:
            raise CommandError("The list is too long for a holiday calendar.")
        try:
            added, updated = holidays_import(actor=None, organisation=org, rows=parse_holiday_list(text))
        except ValidationFailed as exc:
            raise CommandError("\n".join(str(m) for messages in exc.fields.values() for m in messages)) from exc
        self.stdout.write(f"{org.code}: {added} holidays added, {updated} renamed.")
