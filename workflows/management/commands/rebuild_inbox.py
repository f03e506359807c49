from django.core.management.base import BaseCommand, CommandError

from workflows import open_tasks


class Command(BaseCommand):
    help = ("Recompute the inbox's table of open tasks from the workflow's tasks, their clocks and cases "
            "(after a restore or bulk load that bypassed the application). --check only reports.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="report open tasks whose inbox row is missing or stale; exit 1 if any, change nothing")

    def handle(self, *args, check=False, **options):
        if check:
            stale = open_tasks.out_of_step()
            if stale:
                shown = ", ".join(str(pk) for pk in stale[:20]) + (" …" if len(stale) > 20 else "")
                raise CommandError(f"{len(stale)} inbox row(s) out of step with their tasks: {shown}. "
                                   "Run manage.py rebuild_inbox.")
            self.stdout.write("The inbox is in step with the open tasks.")
            return
        count = open_tasks.rebuild()
        self.stdout.write(f"Inbox rebuilt: {count} open task(s).")
