from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.addresses import addresses_import, read_address_rows


class Command(BaseCommand):
    help = ("Load the municipality's address list, which the problem report form's address search offers, from a "
            "CSV file of label,lat,lng rows (UTF-8; a first line naming the columns is skipped). A listed label "
            "moves to its new place; --replace also removes the labels the file does not have. A file with any bad "
            "row changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("csv", help="the CSV file: label,lat,lng")
        parser.add_argument("--replace", action="store_true",
                            help="the list becomes exactly the file's rows (others are removed)")

    def handle(self, *args, csv, replace, **options):
        path = Path(csv)
        try:
            with path.open(encoding="utf-8-sig", newline="") as lines:
                rows, refused = read_address_rows(lines)
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from None
        if refused:
            for line, problem in refused:
                self.stderr.write(f"{path}, line {line}: {problem}")
            raise CommandError(f"{len(refused)} bad row(s): nothing was imported. Correct the file and run again.")
        result = addresses_import(rows=rows, replace=replace, reason=f"import_addresses {path.name}")
        self.stdout.write(f"Addresses: {result.created} added, {result.updated} moved, {result.unchanged} unchanged"
                          + (f", {result.removed} removed" if replace else "") + ".")
