"""``manage.py export_bpmn <flow> [-o file]`` and ``export_bpmn --all -o dir/``:
BPMN 2.0 XML with its diagram, for BPMN tools, auditors and documentation."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from workflows import bpmn, registry


class Command(BaseCommand):
    help = "Export a flow (or every flow) as BPMN 2.0 XML with a diagram (BPMNDI)."

    def add_arguments(self, parser):
        parser.add_argument("flow", nargs="?", help="flow label, e.g. permits.BuildingPermitFlow")
        parser.add_argument("--all", action="store_true", help="every flow, one <label>.bpmn each, into the -o folder")
        parser.add_argument("-o", "--output", help="file to write (a folder with --all); standard output if left out")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE,
                            help=f"language of the names (default {settings.LANGUAGE_CODE})")
        parser.add_argument("--list", action="store_true", help="print the flow labels and stop")

    def handle(self, *args, flow=None, all=False, output=None, language=None, list=False, **options):
        if list:
            for label in registry.flow_labels():
                self.stdout.write(label)
            return
        if all == bool(flow):
            raise CommandError("Name one flow, or pass --all. Flows: " + ", ".join(registry.flow_labels()))
        with translation.override(language):
            if all:
                return self._export_all(output)
            try:
                flow_class = registry.get_flow(flow)
            except registry.UnknownFlow as exc:
                raise CommandError(str(exc)) from None
            xml = bpmn.to_xml(flow_class, flow)
        if output:
            Path(output).write_bytes(xml)
        else:
            self.stdout.write(xml.decode("utf-8"), ending="")

    def _export_all(self, output):
        if not output:
            raise CommandError("--all writes one file per flow: give the folder with -o DIR.")
        folder = Path(output)
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        folder.mkdir(parents=True, exist_ok=True)
        for label, flow_class in registry.all_flows().items():
            path = folder / f"{label}.bpmn"
            path.write_bytes(bpmn.to_xml(flow_class, label))
            self.stdout.write(str(path))
