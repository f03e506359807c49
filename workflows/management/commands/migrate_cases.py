"""``manage.py migrate_cases <from flow> <to flow> [--step old=new …] [--case REF …] [--dry-run]``:
move running cases from one version of a flow onto another, explicitly and audited."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import ValidationFailed
from workflows import registry, versions


class Command(BaseCommand):
    help = "Move the open cases of one flow version onto another version of the same flow (audited)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="flow label the cases run on now, e.g. permits.BuildingPermitFlow")
        parser.add_argument("target", help="flow label of the version to move them to")
        parser.add_argument("--step", action="append", default=[], metavar="OLD=NEW",
                            help="an open step that is called differently in the target version (repeatable)")
        parser.add_argument("--case", action="append", dest="cases", metavar="REFERENCE",
                            help="move only this case (repeatable); all open cases if left out")
        parser.add_argument("--dry-run", action="store_true", help="check and report, change nothing")

    def handle(self, *args, source, target, step, cases, dry_run, **options):
        try:
            source_class, target_class = registry.get_flow(source), registry.get_flow(target)
        except registry.UnknownFlow as exc:
            raise CommandError(str(exc)) from None
        step_map = {}
        for pair in step:
            old, sep, new = pair.partition("=")
            if not sep or not old or not new:
                raise CommandError(f"--step takes OLD=NEW, not {pair!r}.")
            step_map[old] = new
        try:
            if dry_run:
                plan = versions.plan_migration(source_class, target_class, step_map=step_map)
                self.stdout.write(f"{len(plan)} open case(s) of {source} can move to {target}; nothing changed.")
                return
            moved = versions.migrate_cases(source=source_class, target=target_class, step_map=step_map,
                                           references=cases)
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(self.style.SUCCESS(f"Moved {moved} case(s) from {source} to {target}."))
