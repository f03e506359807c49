from django.core.management.base import BaseCommand, CommandError

from core.api_clients import api_client_named, api_client_revoke
from core.errors import DomainError

from .create_api_client import domain_error_text


class Command(BaseCommand):
    help = "Revoke an API client: its key stops working at once, for good."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the client's name (in any case)")

    def handle(self, *args, name, **options):
        client = api_client_named(name)
        if client is None:
            raise CommandError(f"No API client is named {name!r}.")
        try:
            api_client_revoke(client=client, actor=None)
        except DomainError as exc:
            raise CommandError(domain_error_text(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Revoked the API client {client.name}: its key no longer works."))
