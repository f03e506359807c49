"""BPMN 2.0 XML, with a diagram, for a viewflow flow class.

What a flow says in Python becomes a process any BPMN tool can open: each node
its element (``node.bpmn_element``, as viewflow declares it), each edge a
sequence flow. Two things BPMN models explicitly and viewflow implies:

* a step that several paths lead into (the completeness check after a
  correction) starts its task on each arrival: an exclusive merge gateway
  (``<step>-merge``) is drawn in front of it, as a BPMN reader expects;
* an If or Switch decides with Python code: its flows carry an empty formal
  condition and the branch's name; the Else/Default branch is the gateway's
  default flow.

Layout is layered left to right: the longest path from the start decides a
node's column (edges that close a loop, found by a depth-first walk, do not
count), nodes of a column are stacked in rows, long edges reserve a row in
every column they cross, and loop edges run back below the whole diagram.
Shapes have BPMN's usual sizes and never share a row of a column, so they
never overlap. Ids derive from node names only, and nothing depends on dict
or set order of the running process: the same flow always gives the same
bytes.
"""

import math
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import pgettext

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}

EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent"}
TASKS = {"userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask", "businessRuleTask", "task"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "complexGateway", "eventBasedGateway"}
SIZES = {**{t: (36, 36) for t in EVENTS}, **{t: (100, 80) for t in TASKS}, **{t: (50, 50) for t in GATEWAYS}}
ID_PREFIX = {**{t: "Event" for t in EVENTS}, **{t: "Activity" for t in TASKS}, **{t: "Gateway" for t in GATEWAYS}}

MARGIN_X = 40
MARGIN_Y = 60  # room for the labels above the top row
GAP_X = 60  # between columns: where edges bend
ROW_PITCH = 120  # 80 (task) + 40
LANE_GAP = 30  # between the lowest shape and the first loop lane, and between lanes
LABEL_WIDTH = 90  # bpmn-js wraps external labels at 90 px
LINE_HEIGHT = 14


class BpmnExportError(ValueError):
    """The flow uses a construct the export cannot draw yet."""


@dataclass(eq=False)
class Element:
    id: str
    tag: str
    name: str
    node_name: str | None  # None for a merge gateway the export adds
    width: int
    height: int
    incoming: list = field(default_factory=list)
    outgoing: list = field(default_factory=list)
    default_flow: "SequenceFlow | None" = None
    layer: int = 0
    row: float = 0
    x: int = 0
    y: int = 0

    @property
    def cx(self):
        return self.x + self.width // 2

    @property
    def cy(self):
        return self.y + self.height // 2


@dataclass(eq=False)
class SequenceFlow:
    id: str
    source: Element
    target: Element
    name: str = ""
    conditional: bool = False
    back: bool = False
    waypoints: list = field(default_factory=list)
    label: tuple | None = None  # (x, y, width, height)


@dataclass(eq=False)
class _Dummy:
    """A place a long edge takes in a column it crosses."""

    flow: SequenceFlow
    layer: int
    row: float = 0


# --- the graph ----------------------------------------------------------------------------------

def node_element_id(node):
    """The id of the element a viewflow node becomes: stable, a valid XML NCName.

    Node names are Python identifiers; ``-`` never occurs in them, so the ids the
    export adds (``<name>-merge``, ``<source>-<target>``) cannot collide with them."""
    prefix = ID_PREFIX.get(node.bpmn_element)
    if prefix is None:
        raise BpmnExportError(
            f"{node.flow_class.__name__}.{node.name}: BPMN export does not draw {node.bpmn_element} elements yet."
        )
    return f"{prefix}_{node.name}"


def _declared_nodes(flow_class):
    """Nodes in the order the flow's class body declares them (base classes first)."""
    nodes = {node.name: node for node in flow_class.instance.nodes() if node.bpmn_element}
    ordered = []
    for klass in reversed(flow_class.__mro__):
        for name in vars(klass):
            if name in nodes and nodes[name] not in ordered:
                ordered.append(nodes[name])
    ordered += [node for name, node in sorted(nodes.items()) if node not in ordered]
    return ordered


def _title(node):
    """The node's title in the active language; events without one say what they are."""
    auto = node.name.replace("_", " ").title()
    title = str(node.task_title) if node.task_title else ""
    if title and title != auto:
        return title
    if node.bpmn_element == "startEvent":
        return pgettext("BPMN start event", "Start")
    if node.bpmn_element == "endEvent":
        return pgettext("BPMN end event", "End")
    return title or auto


EDGE_LABELS = {"yes": lambda: pgettext("BPMN branch", "Yes"), "no": lambda: pgettext("BPMN branch", "No")}


def _build(flow_class):
    nodes = _declared_nodes(flow_class)
    elements, by_node = [], {}
    for node in nodes:
        tag = node.bpmn_element
        if tag not in SIZES:
            node_element_id(node)  # raises: not drawable
        width, height = SIZES[tag]
        element = Element(id=node_element_id(node), tag=tag, name=_title(node), node_name=node.name,
                          width=width, height=height)
        elements.append(element)
        by_node[node] = element

    flows = []

    def connect(source, target, **kwargs):
        flow = SequenceFlow(id="", source=source, target=target, **kwargs)
        source.outgoing.append(flow)
        target.incoming.append(flow)
        flows.append(flow)
        return flow

    for node in nodes:
        source = by_node[node]
        edges = [e for e in node._outgoing() if e.dst in by_node and e.edge_class not in ("boundary", "compensation")]
        deciding = source.tag in ("exclusiveGateway", "inclusiveGateway") and len(edges) > 1
        if source.tag == "parallelGateway" and any(e.edge_class == "cond_true" for e in edges):
            # A Split with conditional branches starts only those that hold: BPMN's inclusive gateway.
            source.tag, deciding = "inclusiveGateway", True
        for edge in edges:
            target = by_node[edge.dst]
            if not deciding:
                connect(source, target)
                continue
            label = EDGE_LABELS[edge.label]() if edge.label in EDGE_LABELS else (edge.label or "")
            if edge.edge_class in ("cond_false", "default") and source.tag == "exclusiveGateway" and not source.default_flow:
                source.default_flow = connect(source, target, name=label or pgettext("BPMN branch", "Otherwise"))
            else:
                connect(source, target, name=label or target.name, conditional=True)

    # A node several paths lead into starts again on each arrival (only a Join
    # waits for them all): BPMN draws that as an exclusive merge in front of it.
    for node in nodes:
        target = by_node[node]
        if len(target.incoming) < 2 or node.task_type == "JOIN":
            continue
        merge = Element(id=f"Gateway_{node.name}-merge", tag="exclusiveGateway", name="", node_name=None,
                        width=SIZES["exclusiveGateway"][0], height=SIZES["exclusiveGateway"][1])
        elements.insert(elements.index(target), merge)
        for flow in target.incoming:
            flow.target = merge
            merge.incoming.append(flow)
        target.incoming = []
        connect(merge, target)

    taken = set()
    for flow in flows:
        base = flow_id = f"Flow_{_local(flow.source)}-{_local(flow.target)}"
        n = 2
        while flow_id in taken:
            flow_id, n = f"{base}-{n}", n + 1
        taken.add(flow_id)
        flow.id = flow_id
    return elements, flows


def _local(element):
    return element.id.split("_", 1)[1]


# --- the layout ---------------------------------------------------------------------------------

def _mark_back_edges(elements):
    """Depth-first from the start events (then any node not reached): an edge into
    a node still on the walk's stack closes a loop."""
    state = {}

    def walk(element):
        state[element] = "open"
        for flow in element.outgoing:
            if state.get(flow.target) == "open":
                flow.back = True
            elif flow.target not in state:
                walk(flow.target)
        state[element] = "done"

    for element in [e for e in elements if e.tag == "startEvent"] + elements:
        if element not in state:
            walk(element)


def _assign_layers(elements):
    forward_in = {e: [f for f in e.incoming if not f.back] for e in elements}
    pending = {e: len(forward_in[e]) for e in elements}
    ready = [e for e in elements if pending[e] == 0]
    order = []
    while ready:
        element = ready.pop(0)
        order.append(element)
        element.layer = max((f.source.layer + 1 for f in forward_in[element]), default=0)
        for flow in element.outgoing:
            if not flow.back:
                pending[flow.target] -= 1
                if pending[flow.target] == 0:
                    ready.append(flow.target)
    return order


def _assign_rows(elements, flows):
    """Rows per column: a fork's branches spread around it (a parallel split
    centred, a decision's first branch straight on and the others below), a node
    sits at the mean row of what leads into it; nodes of a column keep at least
    one row apart."""
    columns = {}
    chains = {}  # forward flow -> [source, dummies..., target]
    index = {e: i for i, e in enumerate(elements)}
    for e in elements:
        columns.setdefault(e.layer, []).append(e)
    for flow in flows:
        if flow.back:
            continue
        chain = [flow.source]
        for layer in range(flow.source.layer + 1, flow.target.layer):
            dummy = _Dummy(flow=flow, layer=layer)
            columns.setdefault(layer, []).append(dummy)
            chain.append(dummy)
        chain.append(flow.target)
        chains[flow] = chain

    successors, predecessors = {}, {}
    for chain in chains.values():
        for a, b in zip(chain, chain[1:], strict=False):
            successors.setdefault(a, [])
            if b not in successors[a]:
                successors[a].append(b)
            predecessors.setdefault(b, []).append(a)

    def slot(parent, child):
        children = successors[parent]
        i = children.index(child)
        if isinstance(parent, Element) and parent.tag in ("parallelGateway", "inclusiveGateway"):
            return parent.row - (len(children) - 1) / 2 + i
        return parent.row + i

    def sort_key(item):
        if isinstance(item, Element):
            return (index[item], 0)
        return (index[item.flow.source], 1 + item.layer)

    # A node pushed down by a neighbour pulls the chain that leads only to it
    # down too, so the branch stays straight and clear of the neighbour's row.
    floors = {}
    for _ in range(10):
        pushed = []
        for layer in sorted(columns):
            items = columns[layer]
            wanted = {}
            for item in items:
                parents = predecessors.get(item, [])
                preferred = sum(slot(p, item) for p in parents) / len(parents) if parents else 0
                wanted[item] = max(preferred, floors.get(item, preferred))
            items.sort(key=lambda item: (wanted[item], sort_key(item)))
            previous = None
            for item in items:
                item.row = wanted[item] if previous is None else max(wanted[item], previous + 1)
                if item.row > wanted[item]:
                    pushed.append(item)
                previous = item.row
        changed = False
        for item in pushed:
            row, parents = item.row, predecessors.get(item, [])
            while len(parents) == 1 and successors[parents[0]] == [item]:
                item = parents[0]
                if floors.get(item, item.row) < row:
                    floors[item] = row
                    changed = True
                parents = predecessors.get(item, [])
        if not changed:
            break
    return columns, chains


def _place(elements, columns):
    top = min(item.row for items in columns.values() for item in items)
    widths = {layer: max((i.width for i in items if isinstance(i, Element)), default=20)
              for layer, items in columns.items()}
    lefts, x = {}, MARGIN_X
    for layer in sorted(columns):
        lefts[layer] = x
        x += widths[layer] + GAP_X
    for element in elements:
        cx = lefts[element.layer] + widths[element.layer] // 2
        cy = MARGIN_Y + round((element.row - top) * ROW_PITCH) + ROW_PITCH // 2
        element.x, element.y = cx - element.width // 2, cy - element.height // 2
    return lefts, widths, top


def _simplify(points):
    """Drop repeated points and the middle of three on one line."""
    out = []
    for p in points:
        if out and out[-1] == p:
            continue
        if len(out) >= 2 and (out[-2][0] == out[-1][0] == p[0] or out[-2][1] == out[-1][1] == p[1]):
            out[-1] = p
            continue
        out.append(p)
    return out


def _route(elements, flows, columns, chains, lefts, widths, top):
    def row_y(row):
        return MARGIN_Y + round((row - top) * ROW_PITCH) + ROW_PITCH // 2

    for flow, chain in chains.items():
        source, target = flow.source, flow.target
        points = [(source.x + source.width, source.cy)]
        for item in chain[1:]:
            y = target.cy if item is target else row_y(item.row)
            bend = lefts[item.layer] - GAP_X // 2
            if points[-1][1] != y:
                points += [(bend, points[-1][1]), (bend, y)]
            if item is target:
                points.append((target.x, y))
            else:
                points += [(lefts[item.layer], y), (lefts[item.layer] + widths[item.layer], y)]
        flow.waypoints = _simplify(points)

    bottom = max(e.y + e.height for e in elements)
    lowest = {layer: max(items, key=lambda i: i.row) for layer, items in columns.items()}
    for k, flow in enumerate(f for f in flows if f.back):
        source, target = flow.source, flow.target
        lane = bottom + LANE_GAP * (k + 1)
        if source is target:
            quarter = source.width // 4
            points = [(source.cx + quarter, source.y + source.height), (source.cx + quarter, lane),
                      (source.cx - quarter, lane), (source.cx - quarter, source.y + source.height)]
        else:
            if lowest[source.layer] is source:
                points = [(source.cx, source.y + source.height), (source.cx, lane)]
            else:
                out_x = lefts[source.layer] + widths[source.layer] + 10 + 8 * k
                points = [(source.x + source.width, source.cy), (out_x, source.cy), (out_x, lane)]
            if lowest[target.layer] is target:
                points += [(target.cx, lane), (target.cx, target.y + target.height)]
            else:
                in_x = lefts[target.layer] - 10 - 8 * k
                points += [(in_x, lane), (in_x, target.cy), (target.x, target.cy)]
        flow.waypoints = _simplify(points)


def _text_lines(text, width=LABEL_WIDTH):
    return max(1, math.ceil(len(text) * 6 / width))


def _label_flows(flows):
    """Put a named flow's label above its horizontal run into the target (a loop:
    above its lane), where no other label is."""
    for flow in flows:
        if not flow.name:
            continue
        segments = [(a, b) for a, b in zip(flow.waypoints, flow.waypoints[1:], strict=False) if a[1] == b[1]]
        if not segments:
            continue
        (x1, y1), (x2, _y2) = max(segments, key=lambda s: abs(s[1][0] - s[0][0])) if flow.back else segments[-1]
        width = min(len(flow.name) * 7 + 4, 120)
        x = x1 + 4 if x2 >= x1 else x1 - 4 - width
        flow.label = (x, y1 - LINE_HEIGHT - 4, width, LINE_HEIGHT)


def layout(flow_class):
    """``(elements, flows)`` of a flow, placed and routed."""
    elements, flows = _build(flow_class)
    _mark_back_edges(elements)
    elements = _assign_layers(elements)
    columns, chains = _assign_rows(elements, flows)
    lefts, widths, top = _place(elements, columns)
    _route(elements, flows, columns, chains, lefts, widths, top)
    _label_flows(flows)
    elements.sort(key=lambda e: (e.layer, e.row))
    flows.sort(key=lambda f: (f.source.layer, f.source.row, f.source.outgoing.index(f)))
    return elements, flows


# --- the XML ------------------------------------------------------------------------------------

ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


class _Tag:
    """A tiny element tree written by hand: the namespace prefixes are ours, fixed,
    and not subject to ElementTree's process-wide prefix registry."""

    def __init__(self, name, attrs=None, text=None):
        self.name, self.attrs, self.text, self.children = name, attrs or {}, text, []

    def add(self, name, attrs=None, text=None):
        child = _Tag(name, attrs, text)
        self.children.append(child)
        return child

    def write(self, out, depth=0):
        pad = "  " * depth
        attrs = "".join(f' {key}="{escape(str(value), ATTR_ENTITIES)}"' for key, value in self.attrs.items())
        if self.children:
            out.append(f"{pad}<{self.name}{attrs}>")
            for child in self.children:
                child.write(out, depth + 1)
            out.append(f"{pad}</{self.name}>")
        elif self.text is not None:
            out.append(f"{pad}<{self.name}{attrs}>{escape(self.text)}</{self.name}>")
        else:
            out.append(f"{pad}<{self.name}{attrs} />")


def _bounds(parent, x, y, width, height):
    parent.add("dc:Bounds", {"x": x, "y": y, "width": width, "height": height})


def to_xml(flow_class, label):
    """The flow as BPMN 2.0 XML (``bytes``, UTF-8), names in the active language."""
    return _to_xml(flow_class, label, translation.get_language())


@lru_cache(maxsize=64)
def _to_xml(flow_class, label, language):
    with translation.override(language):
        elements, flows = layout(flow_class)
        process_name = str(flow_class.process_title)
    key = label.replace(".", "_")
    process_id = f"Process_{key}"
    definitions = _Tag("bpmn:definitions", {
        **{f"xmlns:{prefix}": uri for prefix, uri in NAMESPACES.items()},
        "id": f"Definitions_{key}", "targetNamespace": f"urn:munis:flow:{label}",
        "exporter": "Munis", "exporterVersion": "1",
    })
    process = definitions.add("bpmn:process", {"id": process_id, "name": process_name, "isExecutable": "false"})
    for element in elements:
        attrs = {"id": element.id}
        if element.name:
            attrs["name"] = element.name
        if element.default_flow is not None:
            attrs["default"] = element.default_flow.id
        xml_element = process.add(f"bpmn:{element.tag}", attrs)
        for flow in sorted(element.incoming, key=flows.index):
            xml_element.add("bpmn:incoming", text=flow.id)
        for flow in sorted(element.outgoing, key=flows.index):
            xml_element.add("bpmn:outgoing", text=flow.id)
    for flow in flows:
        attrs = {"id": flow.id}
        if flow.name:
            attrs["name"] = flow.name
        attrs.update(sourceRef=flow.source.id, targetRef=flow.target.id)
        xml_flow = process.add("bpmn:sequenceFlow", attrs)
        if flow.conditional:
            # The engine decides in Python; the expression only marks the flow conditional.
            xml_flow.add("bpmn:conditionExpression", {"xsi:type": "bpmn:tFormalExpression"})

    diagram = definitions.add("bpmndi:BPMNDiagram", {"id": f"Diagram_{key}"})
    plane = diagram.add("bpmndi:BPMNPlane", {"id": f"Plane_{key}", "bpmnElement": process_id})
    for element in elements:
        attrs = {"id": f"{element.id}_di", "bpmnElement": element.id}
        if element.tag == "exclusiveGateway":
            attrs["isMarkerVisible"] = "true"
        shape = plane.add("bpmndi:BPMNShape", attrs)
        _bounds(shape, element.x, element.y, element.width, element.height)
        if element.name and element.tag not in TASKS:
            height = _text_lines(element.name) * LINE_HEIGHT
            _bounds(shape.add("bpmndi:BPMNLabel"), element.cx - LABEL_WIDTH // 2, element.y - height - 6,
                    LABEL_WIDTH, height)
    for flow in flows:
        edge = plane.add("bpmndi:BPMNEdge", {"id": f"{flow.id}_di", "bpmnElement": flow.id})
        for x, y in flow.waypoints:
            edge.add("di:waypoint", {"x": x, "y": y})
        if flow.label:
            _bounds(edge.add("bpmndi:BPMNLabel"), *flow.label)

    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    definitions.write(lines)
    return ("\n".join(lines) + "\n").encode("utf-8")
