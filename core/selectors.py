from django.core.paginator import Paginator
from django.db.models import Max, Min, Q

from .audit import subject_labels
from .models import AuditEvent


def audit_trails_matching(*, query, page=1, per_page=25):
    """Case trails whose events mention ``query`` (reference, name, action),
    newest activity first; each labelled by its subject as it is today (a case
    by its reference, core.audit.subject_labels), else by its newest event's object."""
    events = AuditEvent.objects.exclude(trail_key="")
    if query:
        events = events.filter(
            Q(object_label__icontains=query) | Q(actor_label__icontains=query) | Q(action__icontains=query)
        )
    trails = (
        events.values("trail_key")
        .annotate(first_id=Min("id"), last_id=Max("id"))
        .order_by("-last_id")
    )
    page_obj = Paginator(trails, per_page).get_page(page)
    last = {pk: (label, created) for pk, label, created in AuditEvent.objects.filter(
        id__in=[t["last_id"] for t in page_obj]).values_list("id", "object_label", "created")}
    subjects = subject_labels([trail["trail_key"] for trail in page_obj])
    for trail in page_obj:
        subject = subjects.get(trail["trail_key"])
        label, trail["last_activity"] = last.get(trail["last_id"], (trail["trail_key"], None))
        trail["label"] = subject.label if subject else label
    return page_obj


def audit_trail(*, trail_key):
    return list(AuditEvent.objects.for_trail(trail_key))
