"""What the Open311 endpoint reads: the active categories as services, public reports as service requests (with
their last change and the case's deadline, in one query), the first photo of each, a report by its token."""

import datetime
import uuid

from django.db.models import Exists, F, Max, OuterRef, Subquery
from django.utils import timezone

from ..models import Category, CategoryAttribute, Report

S = Report.Status
#: the statuses Open311 calls closed: the work is done, or there is none to do; every other one is open
CLOSED_STATUSES = (S.RESOLVED, S.CLOSED, S.REJECTED, S.MERGED)
#: the spec's default and largest answer to a search: the last 90 days, the newest 1000 requests
DEFAULT_SPAN = datetime.timedelta(days=90)
MAX_REQUESTS = 1000


def services_listed():
    """Active categories, each top-level one followed by its sub-categories, each with ``has_attributes``."""
    categories = list(Category.objects.filter(active=True).select_related("parent").annotate(
        has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk")))))
    children = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    ordered = []
    for top in (c for c in categories if c.parent_id is None):
        ordered += [top, *children.get(top.pk, [])]
    return ordered


def service_with_attributes(code):
    """The active category with this code, its questions prefetched, or None."""
    return Category.objects.filter(code=code, active=True).prefetch_related("attributes").first()


def services_changed_at():
    """When a category or one of its questions last changed (discovery's changeset), or None."""
    dates = [model.history.aggregate(last=Max("history_date"))["last"] for model in (Category, CategoryAttribute)]
    dates = [date for date in dates if date is not None]
    return max(dates) if dates else None


def _public_requests():
    last_change = (Report.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
                   .values("history_date")[:1])
    return (Report.objects.filter(is_public=True).select_related("category", "supplier")
            .annotate(updated_at=Subquery(last_change), expected_at=F("process__case_clock__due_at")))


def requests_found(*, ids=(), service_codes=(), statuses=(), start=None, end=None):
    """Public reports, newest first, at most MAX_REQUESTS. ``ids`` (references) name them and overrule every other
    filter, as the spec says; else ``service_codes``, ``statuses`` (``open`` / ``closed``) and the days between
    ``start`` and ``end`` (the last DEFAULT_SPAN when neither is given, DEFAULT_SPAN from the one given)."""
    reports = _public_requests()
    if ids:
        reports = reports.filter(reference__in=ids)
    else:
        if service_codes:
            reports = reports.filter(category__code__in=service_codes)
        if set(statuses) == {"open"}:
            reports = reports.exclude(status__in=CLOSED_STATUSES)
        elif set(statuses) == {"closed"}:
            reports = reports.filter(status__in=CLOSED_STATUSES)
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - DEFAULT_SPAN
        if end is None:
            end = start + DEFAULT_SPAN
        reports = reports.filter(created_at__gte=start, created_at__lte=end)
    return list(reports.order_by("-created_at", "-id")[:MAX_REQUESTS])


def public_request(reference):
    return _public_requests().filter(reference=reference).first()


def request_by_token(token):
    """The report an Open311 app was given ``token`` for (public or not: the token only leads to its number),
    or None."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return Report.objects.filter(token=token).only("pk", "reference", "token").first()


def first_photos(reports):
    """``{report pk: DocumentVersion}``: the newest version of each report's first photo, for the reports that
    have one (two queries for any number of reports)."""
    from documents.selectors import documents_of_cases

    found = {}
    for pk, documents in documents_of_cases(reports).items():
        photos = [d for d in documents if d.code.startswith("photo-") and d.code[6:].isdigit()
                  and d.versions_newest_first]
        if photos:
            first = min(photos, key=lambda d: int(d.code[6:]))
            found[pk] = first.versions_newest_first[0]
    return found
