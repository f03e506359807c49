"""Reads of problem reports: public (the map and list anyone sees), the staff's (scoped to who they work for),
duplicates near a point."""

from django.conf import settings
from django.db.models import Count, Q

from accounts import permissions

from . import geo, routing
from .models import Category, Report

S = Report.Status


def category_names_by_code():
    return {code: name for code, name in Category.objects.values_list("code", "name")}


def categories_listed():
    """Active categories, each top-level one followed by its sub-categories, for choosing one."""
    categories = list(Category.objects.filter(active=True).select_related("parent"))
    tops = [c for c in categories if c.parent_id is None]
    children = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    ordered = []
    for top in tops:
        ordered.append(top)
        ordered.extend(children.get(top.pk, []))
    return ordered


def public_reports(*, status=None, category=None, district=None, since=None, until=None):
    """Reports on public view, newest first, filtered. ``status``: a status code, or ``"open"`` / ``"resolved"``
    for groups; ``category``: a code (a parent takes its sub-categories); ``district``: a District pk; ``since`` /
    ``until``: dates (inclusive), in the city's time zone."""
    reports = Report.objects.filter(is_public=True).select_related("category", "category__parent",
                                                                   "district__department")
    if status == "open":
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif status == "resolved":
        reports = reports.filter(status__in=[S.RESOLVED, S.CLOSED])
    elif status:
        reports = reports.filter(status=status)
    if category:
        reports = reports.filter(Q(category__code=category) | Q(category__parent__code=category))
    if district:
        reports = reports.filter(district_id=district)
    if since:
        reports = reports.filter(created_at__date__gte=since)
    if until:
        reports = reports.filter(created_at__date__lte=until)
    return reports


def public_report(reference):
    return (Report.objects.filter(reference=reference, is_public=True)
            .select_related("category", "district__department", "supplier", "duplicate_of").first())


def public_counts():
    """``{"received": n, "unique": m}``: every public report, and those not merged into another."""
    counts = Report.objects.filter(is_public=True).aggregate(
        received=Count("pk"), unique=Count("pk", filter=~Q(status=S.MERGED)))
    return counts


def _dispatching_ids(user):
    """Organisations the user dispatches for: the dispatch, and the departments of districts."""
    from .models import District

    work = set(permissions.work_organisation_ids(user))
    if not work:
        return set(), False
    dispatch = routing.dispatch_organisation().pk if work else None
    districts = set(District.objects.filter(department_id__in=work).values_list("department_id", flat=True))
    return districts, dispatch in work


def handles_reports(user):
    """Staff who work a queue, auditors and administrators: the people the staff's report pages and API are for
    (each of them sees the reports ``reports_for_staff`` gives, possibly none); citizens are not."""
    return bool(getattr(user, "is_authenticated", False)
                and (permissions.is_case_worker(user) or permissions.can_read_all_cases(user)))


def reports_for_staff(user):
    """The reports a staff member may open: auditors and administrators all; the dispatch all; a district's
    department those in its district or routed to it; a supplier those it has now."""
    reports = Report.objects.select_related("category", "district__department", "supplier")
    if permissions.can_read_all_cases(user):
        return reports
    work = set(permissions.work_organisation_ids(user))
    if not work:
        return reports.none()
    districts, dispatch = _dispatching_ids(user)
    if dispatch:
        return reports
    return reports.filter(Q(supplier_id__in=work) | Q(district__department_id__in=districts))


def report_for_staff(user, reference):
    return reports_for_staff(user).filter(reference=reference).first()


def duplicate_candidates(*, category, latitude, longitude, radius_m=None, limit=5, exclude=None):
    """Open public reports of ``category`` within ``radius_m`` (default MUNIS_REPORTS_DUPLICATE_RADIUS_M) of the
    point, nearest first, each with ``distance_m``. An indexed bounding box first (reports_open_by_place), the
    exact distance on what it finds."""
    radius_m = radius_m or settings.MUNIS_REPORTS_DUPLICATE_RADIUS_M
    min_lat, max_lat, min_lng, max_lng = geo.box_around(latitude, longitude, radius_m)
    rows = (Report.objects.filter(category=category, status__in=Report.OPEN_STATUSES, latitude__gte=min_lat,
                                  latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng)
            .filter(is_public=True))
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    found = []
    for report in rows.only("pk", "reference", "latitude", "longitude", "description", "created_at", "status",
                            "category_id", "is_public"):
        distance = geo.distance_m(latitude, longitude, report.latitude, report.longitude)
        if distance <= radius_m:
            report.distance_m = round(distance)
            found.append(report)
    found.sort(key=lambda r: r.distance_m)
    return found[:limit]


def followers_count(report):
    """How many people follow the report: its reporter, those who said "me too", the reporters of duplicates."""
    return report.followers.count()
