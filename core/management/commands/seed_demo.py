"""Idempotent demo data: each installed app's ``<app>/demo.py`` seeds its own
(organisations and people first, then every e-service; see core.plugins).
Running it again changes nothing."""

from django.core.management.base import BaseCommand

from core import plugins


class Command(BaseCommand):
    help = ("Load every installed app's demo data (organisations, people with the password README gives, "
            "the catalog and cases in every state); running it again changes nothing.")

    def handle(self, *args, **options):
        seeded = []
        for label, seed in plugins.demo_seeds():
            seed(stdout=self.stdout)
            seeded.append(label)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {', '.join(seeded)}."))
