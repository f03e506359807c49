"""BPMN 2.0 export: every flow of the project, as ``manage.py export_bpmn`` writes
it, is read back by bpmn-moddle (the parser bpmn-js uses) without a warning and
passes bpmnlint's ``recommended`` rules without an error or a warning; its
diagram has no overlapping shapes and every edge runs from its source's border
to its target's. The export is the same bytes every time.

The JavaScript tools come from npm (package-lock.json); `make test` installs
them (`npm ci`) before the tests run.
"""

import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from viewflow import this
from viewflow.workflow import flow

from workflows import bpmn, registry
from workflows.flows import CaseFlow, no_url_view

BASE_DIR = Path(settings.BASE_DIR)
CHECKER = BASE_DIR / "tests" / "js" / "check_bpmn.mjs"
PERMIT = "permits.BuildingPermitFlow"
NS = {"bpmn": bpmn.BPMN, "bpmndi": bpmn.BPMNDI, "dc": bpmn.DC, "di": bpmn.DI}
NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
FLOW_NODES = bpmn.EVENTS | bpmn.TASKS | bpmn.GATEWAYS


def _node():
    node = shutil.which("node")
    if node is None or not (BASE_DIR / "node_modules" / "bpmnlint").is_dir():
        pytest.fail("Node.js and the npm packages are needed: `make test` installs them "
                    "(Debian's nodejs/npm, then `npm ci`).", pytrace=False)
    return node


def check_with_bpmn_tools(path):
    """bpmn-moddle's warnings and bpmnlint's reports for one .bpmn file."""
    result = subprocess.run([_node(), str(CHECKER), str(path)], cwd=BASE_DIR, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, f"{path.name} could not be read:\n{result.stdout}{result.stderr}"
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bpmn")
    call_command("export_bpmn", "--all", "-o", str(folder), stdout=io.StringIO())
    return folder


# --- a flow with what the permit flow lacks: Switch, long edges, a loop from a busy column --------------

class ShowcaseFlow(CaseFlow, flow.Flow):
    """Not a real e-service: every construct the layout must draw."""

    process_title = "Showcase"

    start = flow.StartHandle(this.begin).Next(this.intake)
    intake = flow.View(no_url_view).Annotation(title="Intake").Next(this.route)
    route = (
        flow.Switch().Annotation(title="Route by kind")
        .Case(this.fast, lambda a: True)
        .Case(this.fan_out, lambda a: False)
        .Default(this.manual)
    )
    fast = flow.Function(this.work).Annotation(title="Fast lane").Next(this.finish)
    manual = flow.View(no_url_view).Annotation(title="Manual handling").Next(this.recheck)
    recheck = (
        flow.If(lambda a: True).Annotation(title="Good?")
        .Then(this.finish).Else(this.intake)
    )
    fan_out = flow.Split().Annotation(title="In parallel").Always(this.left).Always(this.right)
    left = flow.View(no_url_view).Annotation(title="Left").Next(this.fan_in)
    right = flow.View(no_url_view).Annotation(title="Right").Next(this.right_more)
    right_more = flow.Function(this.work).Annotation(title="Right, more").Next(this.fan_in)
    fan_in = flow.Join().Annotation(title="Both done").Next(this.finish)
    finish = flow.End()

    def begin(self, activation):  # pragma: no cover
        return activation.process

    def work(self, activation):  # pragma: no cover
        pass


@pytest.fixture
def showcase_file(tmp_path):
    path = tmp_path / "showcase.bpmn"
    path.write_bytes(bpmn.to_xml(ShowcaseFlow, "tests.ShowcaseFlow"))
    return path


# --- reading a diagram back ------------------------------------------------------------------------

def parse(path):
    root = ET.parse(path).getroot()
    process = root.find("bpmn:process", NS)
    nodes = {el.get("id"): el for el in process if el.tag.split("}")[1] in FLOW_NODES}
    flows = {el.get("id"): el for el in process.findall("bpmn:sequenceFlow", NS)}
    plane = root.find("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    shapes = {}
    for shape in plane.findall("bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        shapes[shape.get("bpmnElement")] = tuple(int(b.get(k)) for k in ("x", "y", "width", "height"))
    edges = {edge.get("bpmnElement"): [(int(p.get("x")), int(p.get("y"))) for p in edge.findall("di:waypoint", NS)]
             for edge in plane.findall("bpmndi:BPMNEdge", NS)}
    return root, nodes, flows, shapes, edges


def on_border(point, bounds):
    x, y = point
    left, top, width, height = bounds
    right, bottom = left + width, top + height
    on_vertical = x in (left, right) and top <= y <= bottom
    on_horizontal = y in (top, bottom) and left <= x <= right
    return on_vertical or on_horizontal


def overlap(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def crosses(segment, bounds):
    """Whether an axis-parallel segment runs through the inside of a shape."""
    (x1, y1), (x2, y2) = segment
    left, top, width, height = bounds
    right, bottom = left + width, top + height
    if x1 == x2:
        return left < x1 < right and min(y1, y2) < bottom and max(y1, y2) > top
    return top < y1 < bottom and min(x1, x2) < right and max(x1, x2) > left


def assert_sound_diagram(path):
    root, nodes, flows, shapes, edges = parse(path)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert all(NCNAME.match(i) for i in ids), [i for i in ids if not NCNAME.match(i)]
    assert set(shapes) == set(nodes), "every flow node has exactly one shape"
    assert set(edges) == set(flows), "every sequence flow has exactly one edge"

    for a, b in [(a, b) for i, a in enumerate(sorted(shapes)) for b in sorted(shapes)[i + 1:]]:
        assert not overlap(shapes[a], shapes[b]), f"{a} overlaps {b}"

    for flow_id, element in flows.items():
        source, target = element.get("sourceRef"), element.get("targetRef")
        assert flow_id in [o.text for o in nodes[source].findall("bpmn:outgoing", NS)], flow_id
        assert flow_id in [i.text for i in nodes[target].findall("bpmn:incoming", NS)], flow_id
        points = edges[flow_id]
        assert len(points) >= 2
        assert on_border(points[0], shapes[source]), f"{flow_id} does not start on {source}: {points}"
        assert on_border(points[-1], shapes[target]), f"{flow_id} does not end on {target}: {points}"
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            assert x1 == x2 or y1 == y2, f"{flow_id} has a slanted segment"
            for other, bounds in shapes.items():
                if other not in (source, target):
                    assert not crosses(((x1, y1), (x2, y2)), bounds), f"{flow_id} runs through {other}"
    return nodes, flows, shapes, edges


# --- the tests ---------------------------------------------------------------------------------------

def test_registry_finds_the_flows_of_the_installed_apps():
    assert PERMIT in registry.flow_labels()
    assert registry.get_flow(PERMIT).__name__ == "BuildingPermitFlow"
    assert registry.label_of(registry.get_flow(PERMIT)) == PERMIT
    assert all(issubclass(f, CaseFlow) for f in registry.all_flows().values())
    with pytest.raises(registry.UnknownFlow, match="permits.BuildingPermitFlow"):
        registry.get_flow("eservices.NoSuchFlow")


def test_export_all_writes_one_file_per_flow(exported):
    assert sorted(p.name for p in exported.iterdir()) == sorted(f"{label}.bpmn" for label in registry.flow_labels())


@pytest.mark.parametrize("label", registry.flow_labels())
def test_every_flow_passes_bpmn_moddle_and_bpmnlint_recommended(exported, label):
    report = check_with_bpmn_tools(exported / f"{label}.bpmn")
    assert report["moddleWarnings"] == []
    assert report["lint"] == [], json.dumps(report["lint"], indent=2)


@pytest.mark.parametrize("label", registry.flow_labels())
def test_every_flow_diagram_is_sound(exported, label):
    assert_sound_diagram(exported / f"{label}.bpmn")


def test_the_bpmn_tools_do_reject_a_broken_export(exported, tmp_path):
    """The check is not vacuous: a shape missing from the diagram, a dangling
    reference and a decision without a name fail it."""
    xml = (exported / f"{PERMIT}.bpmn").read_text()
    broken = re.sub(r'\s*<bpmndi:BPMNShape id="Gateway_reviews_di".*?</bpmndi:BPMNShape>', "", xml, flags=re.S)
    broken = broken.replace('sourceRef="Event_start"', 'sourceRef="Event_nowhere"')
    broken = broken.replace(' name="Complete?"', "")
    path = tmp_path / "broken.bpmn"
    path.write_text(broken)
    report = check_with_bpmn_tools(path)
    assert any("Event_nowhere" in w for w in report["moddleWarnings"])
    rules = {r["rule"] for r in report["lint"]}
    assert {"no-bpmndi", "label-required"} <= rules, rules


def test_permit_flow_elements(exported):
    nodes, flows, shapes, edges = assert_sound_diagram(exported / f"{PERMIT}.bpmn")
    kind = {i: el.tag.split("}")[1] for i, el in nodes.items()}
    for step in ("check_completeness", "correction", "review_architecture", "review_fire_safety",
                 "review_environment", "decision"):
        assert kind[f"Activity_{step}"] == "userTask"
    assert kind["Activity_issue_letter"] == "scriptTask"
    assert kind["Event_start"] == "startEvent" and kind["Event_end"] == "endEvent"
    assert kind["Gateway_reviews"] == kind["Gateway_reviews_done"] == "parallelGateway"
    assert kind["Gateway_is_complete"] == "exclusiveGateway"
    assert nodes["Activity_check_completeness"].get("name") == "Completeness check"
    # The correction loop comes back through an exclusive merge, not into the task itself.
    assert kind["Gateway_check_completeness-merge"] == "exclusiveGateway"
    assert len(nodes["Activity_check_completeness"].findall("bpmn:incoming", NS)) == 1
    # The decision gateway: "Yes" is conditional, "No" (the correction) is its default.
    gateway = nodes["Gateway_is_complete"]
    to_correction = flows[gateway.get("default")]
    assert to_correction.get("targetRef") == "Activity_correction" and to_correction.get("name") == "No"
    to_reviews = flows["Flow_is_complete-reviews"]
    assert to_reviews.get("name") == "Yes" and to_reviews.find("bpmn:conditionExpression", NS) is not None
    # Left to right, the reviews stacked in one column.
    x = {i: shapes[i][0] for i in shapes}
    assert x["Event_start"] < x["Activity_check_completeness"] < x["Gateway_reviews"] < x["Activity_decision"] < x["Event_end"]
    assert len({x[f"Activity_review_{r}"] for r in ("architecture", "fire_safety", "environment")}) == 1
    # The loop back to the completeness check runs below every shape.
    bottom = max(y + h for _x, y, _w, h in shapes.values())
    loop = [f for f, el in flows.items() if el.get("targetRef") == "Gateway_check_completeness-merge"
            and el.get("sourceRef") != "Event_start"]
    assert loop and all(max(y for _x, y in edges[f]) > bottom for f in loop)


def test_export_follows_the_language():
    with translation.override("ru"):
        xml = bpmn.to_xml(registry.get_flow(PERMIT), PERMIT).decode()
    assert 'name="Разрешение на строительство"' in xml
    assert 'name="Проверка комплектности"' in xml
    assert 'name="Completeness check"' not in xml


def test_export_is_deterministic(tmp_path):
    first = bpmn.to_xml(registry.get_flow(PERMIT), PERMIT)
    bpmn._to_xml.cache_clear()
    call_command("export_bpmn", PERMIT, "-o", str(tmp_path / "again.bpmn"))
    assert (tmp_path / "again.bpmn").read_bytes() == first


def test_showcase_flow_with_switch_long_edges_and_loops_is_valid_and_sound(showcase_file):
    report = check_with_bpmn_tools(showcase_file)
    assert report["moddleWarnings"] == [] and report["lint"] == [], report
    nodes, flows, shapes, edges = assert_sound_diagram(showcase_file)
    route = nodes["Gateway_route"]
    assert route.tag.endswith("exclusiveGateway")
    assert flows[route.get("default")].get("targetRef") == "Activity_manual"
    conditional = [f for f in flows.values() if f.get("sourceRef") == "Gateway_route" and f.get("id") != route.get("default")]
    assert {f.get("name") for f in conditional} == {"Fast lane", "In parallel"}
    # Two paths and a loop lead to the intake and to the end: merges in front of them.
    assert "Gateway_intake-merge" in nodes and "Gateway_finish-merge" in nodes


# --- the command's contract --------------------------------------------------------------------------

def test_command_prints_to_stdout_or_writes_the_file(tmp_path):
    out = io.StringIO()
    call_command("export_bpmn", PERMIT, stdout=out)
    xml = bpmn.to_xml(registry.get_flow(PERMIT), PERMIT)
    assert out.getvalue().encode() == xml
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions')
    call_command("export_bpmn", PERMIT, "-o", str(tmp_path / "permit.bpmn"), stdout=io.StringIO())
    assert (tmp_path / "permit.bpmn").read_bytes() == xml


def test_command_refuses_unknown_flows_and_all_without_a_folder(tmp_path):
    with pytest.raises(CommandError, match=r"No flow is called eservices\.Nope\. Known flows: .*BuildingPermitFlow"):
        call_command("export_bpmn", "eservices.Nope")
    with pytest.raises(CommandError, match="-o DIR"):
        call_command("export_bpmn", "--all")
    with pytest.raises(CommandError, match="Name one flow, or pass --all"):
        call_command("export_bpmn")
    with pytest.raises(CommandError, match="Name one flow, or pass --all"):
        call_command("export_bpmn", PERMIT, "--all", "-o", str(tmp_path))
    (tmp_path / "file").write_text("")
    with pytest.raises(CommandError, match="not a folder"):
        call_command("export_bpmn", "--all", "-o", str(tmp_path / "file"))


def test_command_runs_as_a_process(tmp_path):
    """The contract as operators use it: exit codes and files."""
    import sys

    ok = subprocess.run([sys.executable, "manage.py", "export_bpmn", "--all", "-o", str(tmp_path)], cwd=BASE_DIR,
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / f"{PERMIT}.bpmn").is_file()
    bad = subprocess.run([sys.executable, "manage.py", "export_bpmn", "nope"], cwd=BASE_DIR,
                         capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "No flow is called nope" in bad.stderr
