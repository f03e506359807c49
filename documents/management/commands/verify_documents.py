from django.core.management.base import BaseCommand, CommandError

from documents.integrity import verify_blobs


class Command(BaseCommand):
    help = ("Read every stored document blob and check it against the hash and size its versions record; "
            "list missing or altered blobs and exit non-zero if there are any.")

    def handle(self, *args, **options):
        report = verify_blobs()
        for problem in report.problems:
            versions = ", ".join(f"#{pk}" for pk in problem.version_ids)
            self.stderr.write(f"{problem.key}: {problem.problem} (versions {versions})")
        if report.problems:
            raise CommandError(f"{len(report.problems)} of {report.blobs} document blob(s) missing or altered.")
        self.stdout.write(self.style.SUCCESS(
            f"Document blobs intact: {report.blobs} blob(s) of {report.versions} version(s) verified."))
