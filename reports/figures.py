"""How each supplier answers for the reports sent to it, in public (FixMyStreet shows a council's; Fix My Service
holds providers to account): how many it got, how many it resolved and how fast, what reporters thought."""

import statistics
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q

from accounts.models import Organisation

from .models import Report

S = Report.Status


@dataclass(frozen=True)
class SupplierFigures:
    supplier: Organisation
    received: int
    open: int
    resolved: int
    #: median calendar days from report to resolution, or None before the first
    median_days: float | None
    reopened: int
    satisfaction: float | None
    answers: int

    @property
    def resolved_share(self):
        return round(100 * self.resolved / self.received) if self.received else None


def supplier_figures(*, since=None):
    """One row per organisation that public reports were sent to, most reports first."""
    reports = Report.objects.filter(is_public=True, supplier__isnull=False).exclude(status=S.MERGED)
    if since:
        reports = reports.filter(created_at__date__gte=since)
    rows = (reports.values("supplier").annotate(
        received=Count("pk"), open=Count("pk", filter=Q(status__in=Report.OPEN_STATUSES)),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)), reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        mean_satisfaction=Avg("satisfaction"), answers=Count("satisfaction")).order_by("-received"))
    durations = {}
    for supplier_id, days in (reports.filter(resolved_at__isnull=False)
                              .annotate(taken=F("resolved_at") - F("created_at"))
                              .values_list("supplier", "taken")):
        durations.setdefault(supplier_id, []).append(days.total_seconds() / 86400)
    suppliers = Organisation.objects.in_bulk([row["supplier"] for row in rows])
    return [SupplierFigures(
        supplier=suppliers[row["supplier"]], received=row["received"], open=row["open"], resolved=row["resolved"],
        median_days=round(statistics.median(durations[row["supplier"]]), 1) if row["supplier"] in durations else None,
        reopened=row["reopened"],
        satisfaction=round(row["mean_satisfaction"], 1) if row["mean_satisfaction"] else None,
        answers=row["answers"]) for row in rows]
