from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import can_read_audit

from .audit import action_label, describe, relabel, subject_labels
from .selectors import audit_trail as select_trail
from .selectors import audit_trails_matching


@login_required
def audit_search(request):
    if not can_read_audit(request.user):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    page = audit_trails_matching(query=query, page=request.GET.get("page", 1))
    return render(request, "core/audit_search.html", {"page_obj": page, "query": query})


@login_required
def audit_trail(request, trail_key):
    if not can_read_audit(request.user):
        raise PermissionDenied
    events = select_trail(trail_key=trail_key)
    if not events:
        raise Http404
    # The trail's subject as it is named today (a case by its reference), in its own events and in those of
    # its parts (a document of a draft recorded as "Draft #12 — Site plan").
    subject = subject_labels([trail_key]).get(trail_key)
    rows = []
    for event in events:
        keys = sorted(set(event.before) | set(event.after))
        diffs = [(k, event.before.get(k), event.after.get(k)) for k in keys]
        label = relabel(event.object_label, subject)
        rows.append({"event": event, "label": action_label(event.action), "object": label,
                     "message": describe(event, object_label=label), "diffs": diffs})
    title = subject.label if subject else events[-1].object_label
    return render(request, "core/audit_trail.html", {"rows": rows, "trail_key": trail_key, "title": title})
