"""Process diagram pages for staff: every flow as BPMN, drawn by bpmn-js (our
static copy, no CDN), with the open tasks per step and, for one case, where it
stands. Thin: check, call a selector, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext

from . import bpmn, diagrams, registry


def _reader_only(user):
    if not diagrams.can_see_diagrams(user):
        raise PermissionDenied


def _flow_or_404(label):
    try:
        return registry.get_flow(label)
    except registry.UnknownFlow:
        raise Http404 from None


@login_required
def flow_list(request):
    _reader_only(request.user)
    counts = diagrams.open_tasks_by_flow()
    flows = [{"label": label, "title": flow_class.process_title, "open": counts[label],
              "version": flow_class.version, "current": registry.newest_version(flow_class) is flow_class}
             for label, flow_class in registry.all_flows().items()]
    return render(request, "workflows/flow_list.html", {"flows": flows})


@login_required
def flow_diagram(request, label):
    _reader_only(request.user)
    flow_class = _flow_or_404(label)
    process = None
    if "process" in request.GET:
        process = diagrams.process_visible_to(user=request.user, pk=request.GET["process"], flow_class=flow_class)
        if process is None:
            raise Http404
    ids = diagrams.element_ids(flow_class=flow_class)
    counts = diagrams.open_tasks_by_node(flow_class=flow_class)
    current, done = diagrams.process_path(process=process) if process else ([], [])
    elements, _flows = bpmn.layout(flow_class)
    steps = [
        {"id": element.id, "title": element.name, "open": counts.get(element.node_name, 0),
         "current": element.node_name in current, "done": element.node_name in done}
        for element in elements if element.node_name
    ]
    state = {
        "xmlUrl": reverse("workflows:flow_bpmn", args=[label]),
        "counts": [
            {"id": ids[name], "count": n, "label": ngettext("%(count)d open task", "%(count)d open tasks", n) % {"count": n}}
            for name, n in sorted(counts.items())
        ],
        "current": [ids[name] for name in current],
        "done": [ids[name] for name in done],
    }
    return render(request, "workflows/flow_diagram.html", {
        "label": label, "flow_title": flow_class.process_title, "process": process,
        "case": process.artifact if process else None, "steps": steps, "state": state,
    })


@login_required
def flow_bpmn(request, label):
    """The BPMN 2.0 XML the page draws; also a download."""
    _reader_only(request.user)
    flow_class = _flow_or_404(label)
    response = HttpResponse(bpmn.to_xml(flow_class, label), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{label}.bpmn"'
    return response
