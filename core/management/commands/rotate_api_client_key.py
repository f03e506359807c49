from django.core.management.base import BaseCommand, CommandError

from core.api_clients import api_client_named, api_client_rotate_key
from core.errors import DomainError

from .create_api_client import domain_error_text


class Command(BaseCommand):
    help = "Give an API client a new key, printed once; its old key stops working at once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the client's name (in any case)")

    def handle(self, *args, name, **options):
        client = api_client_named(name)
        if client is None:
            raise CommandError(f"No API client is named {name!r}.")
        try:
            client, key = api_client_rotate_key(client=client, actor=None)
        except DomainError as exc:
            raise CommandError(domain_error_text(exc)) from exc
        self.stdout.write(f"The API client {client.name} has a new key ({client.key_prefix}…); the old one no "
                          "longer works. Its API key:")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING("Copy it now: it is not stored and will not be shown again."))
