from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import can_read_audit

from .audit import action_label, describe
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
    rows = []
    for event in events:
        keys = sorted(set(event.before) | set(event.after))
        diffs = [(k, event.before.get(k), event.after.get(k)) for k in keys]
        rows.append({"event": event, "label": action_label(event.action), "message": describe(event), "diffs": diffs})
    return render(request, "core/audit_trail.html", {"rows": rows, "trail_key": trail_key, "title": events[0].object_label})
