from django.core.management.base import BaseCommand

from reports.classify import MIN_SAMPLES, train


class Command(BaseCommand):
    help = ("Train the classifier that suggests a problem report's category from its text, on the reports the "
            "municipality has classified; run it again as they grow (e.g. monthly).")

    def add_arguments(self, parser):
        parser.add_argument("--min-samples", type=int, default=MIN_SAMPLES)

    def handle(self, *args, min_samples, **options):
        model = train(min_samples=min_samples)
        if model is None:
            self.stdout.write(f"Too few classified reports to learn from (at least {min_samples}, in two "
                              "categories or more): the keyword rules go on suggesting categories.")
            return
        accuracy = f"{model.accuracy:.0%}" if model.accuracy is not None else "not measured (too few per category)"
        self.stdout.write(f"Trained on {model.samples} reports in {model.categories} categories; accuracy on "
                          f"held-out reports: {accuracy}.")
