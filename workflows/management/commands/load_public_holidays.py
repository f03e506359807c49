from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from workflows.holidays import PUBLIC_HOLIDAYS, public_holidays_load


class Command(BaseCommand):
    help = (f"Load the country's {len(PUBLIC_HOLIDAYS)} fixed public holidays of a year into the working calendars "
            "(by default of every organisation at the top of a tree; those below inherit them). Days already there "
            "are left as they are. The Hayit days, announced each year, are loaded with import_holidays.")

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--organisation", help="only this organisation's calendar (its code)")

    def handle(self, *args, year, organisation=None, **options):
        if not 1900 <= year <= 9999:
            raise CommandError(f"{year} is not a year.")
        organisations = None
        if organisation:
            organisations = list(Organisation.objects.filter(code=organisation))
            if not organisations:
                raise CommandError(f"No organisation with code {organisation!r}.")
        added = public_holidays_load(actor=None, year=year, organisations=organisations)
        self.stdout.write(f"{year}: {added} public holidays added.")
