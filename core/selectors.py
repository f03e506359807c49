from django.core.paginator import Paginator
from django.db.models import Max, Min, Q

from .models import AuditEvent


def audit_trails_matching(*, query, page=1, per_page=25):
    """Case trails whose events mention ``query`` (reference, name, action),
    newest activity first; each labelled by its first event's object."""
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
    labels = dict(
        AuditEvent.objects.filter(id__in=[t["first_id"] for t in page_obj]).values_list("id", "object_label")
    )
    for trail in page_obj:
        trail["label"] = labels.get(trail["first_id"], trail["trail_key"])
    return page_obj


def audit_trail(*, trail_key):
    return list(AuditEvent.objects.for_trail(trail_key))
