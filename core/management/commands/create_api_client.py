from django.core.management.base import BaseCommand, CommandError

from core.api_clients import api_client_register
from core.errors import DomainError


def domain_error_text(exc):
    problems = [str(message) for messages in exc.fields.values() for message in messages]
    return " ".join(problems) or str(exc.message)


class Command(BaseCommand):
    help = ("Register an outside application (an Open311 app, a national platform) and print its new API key, "
            "once: only a hash of it is kept.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="the application's name, unique (in any case)")
        parser.add_argument("--contact", default="", help="an e-mail address to reach the application's operator")

    def handle(self, *args, name, contact, **options):
        try:
            client, key = api_client_register(name=name, contact=contact, actor=None)
        except DomainError as exc:
            raise CommandError(domain_error_text(exc)) from exc
        self.stdout.write(f"Registered the API client {client.name} (key {client.key_prefix}…). Its API key:")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING(
            "Copy it now: it is not stored and will not be shown again. If it is lost, give the client a new one "
            f"with `manage.py rotate_api_client_key {client.name!r}`."))
