"""The staff's list and map of problem reports: a supplier's staff see theirs, a district its own, the dispatch,
auditors and administrators all (reports.selectors.reports_for_staff). The public's figures per supplier."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.errors import PermissionDenied
from workflows.selectors import paginate_plain

from . import figures, geojson, selectors
from .models import Category, Report


def _staff_reports(request):
    if not selectors.handles_reports(request.user):
        raise PermissionDenied(_("This page is for the staff who handle problem reports."))
    reports = selectors.reports_for_staff(request.user)
    status, category = request.GET.get("status", "open"), request.GET.get("category", "")
    if status == "open":
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif status in Report.Status.values:
        reports = reports.filter(status=status)
    if category:
        reports = reports.filter(category__code=category)
    return reports.order_by("-created_at", "-id"), {"status": status, "category": category}


@login_required
@require_GET
def staff_list(request):
    reports, chosen = _staff_reports(request)
    page = paginate_plain(reports, request.GET.get("page"))
    return render(request, "reports/staff/list.html", {
        "page_obj": page, "chosen": chosen, "statuses": Report.Status.choices,
        "categories": Category.objects.filter(parent=None).order_by("order"),
    })


@login_required
@require_GET
def staff_map_data(request):
    reports, _chosen = _staff_reports(request)
    return JsonResponse(geojson.feature_collection(reports, url_name="reports:staff_report"))


@require_GET
def suppliers(request):
    return render(request, "reports/suppliers.html", {"rows": figures.supplier_figures(),
                                                      "counts": selectors.public_counts()})
