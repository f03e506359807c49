"""Process analytics pages for supervisors, auditors and administrators: the
figures of every flow per step, department and month, drawn by Chart.js (our
static copy, no CDN), and the same figures as CSV. Thin: check, parse the
filters, call ``workflows.analytics``, render."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.errors import ValidationFailed

from . import analytics, registry

MONTH_FORMAT = "%Y-%m"


class MonthField(forms.DateField):
    """A calendar month, ``YYYY-MM`` (what ``<input type="month">`` sends)."""

    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)
    input_formats = [MONTH_FORMAT]
    default_error_messages = {"invalid": gettext_lazy("Enter a month as YYYY-MM, e.g. 2026-03.")}


class AnalyticsFilterForm(forms.Form):
    """The filter bar (a GET form). A value that is not one of the choices is a 400, not a guess."""

    flow = forms.ChoiceField(label=gettext_lazy("Process"), required=False)
    from_month = MonthField(label=gettext_lazy("From month"), required=False)
    to_month = MonthField(label=gettext_lazy("To month"), required=False)
    department = forms.ModelChoiceField(label=gettext_lazy("Department"), required=False, queryset=None,
                                        empty_label=gettext_lazy("All departments"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flow"].choices = [("", _("All processes"))] + [
            (label, analytics.flow_title(flow_class)) for label, flow_class in registry.all_flows().items()
        ]
        self.fields["department"].queryset = analytics.department_choices(user)

    def clean(self):
        data = super().clean()
        first, last = data.get("from_month"), data.get("to_month")
        if first and last and first > last:
            raise forms.ValidationError(_("The first month must not come after the last one."))
        return data

    def filters(self):
        data = self.cleaned_data
        department = data["department"]
        return analytics.Filters(
            flows=(data["flow"],) if data["flow"] else tuple(registry.flow_labels()),
            first_month=data["from_month"], last_month=data["to_month"],
            department_id=department.pk if department else None,
        )

    def first_error(self):
        return next(str(message) for messages in self.errors.values() for message in messages)


def _reader_only(user):
    if not analytics.can_see_analytics(user):
        raise PermissionDenied


def _hours(value):
    return None if value is None else round(value, 2)


def _charts(report):
    """What Chart.js draws for one flow: finished tasks per month by step, time per step, backlog per step."""
    months = sorted({row.month for row in report.months})
    finished = {}
    for row in report.months:
        finished.setdefault(row.step.name, dict.fromkeys(months, 0))[row.month] += row.figures.finished
    steps = [step.title for step in report.steps]
    return {
        "throughput": {
            "labels": months,
            "datasets": [{"label": step.title, "data": list(finished[step.name].values())} for step in report.steps],
        },
        "time": {
            "labels": steps,
            "datasets": [
                {"label": _("Median (hours)"), "data": [_hours(step.figures.median_hours) for step in report.steps]},
                {"label": _("90th percentile (hours)"), "data": [_hours(step.figures.p90_hours) for step in report.steps]},
            ],
        },
        "backlog": {
            "labels": steps,
            "datasets": [
                {"label": _("Open now"), "data": [step.figures.open for step in report.steps]},
                {"label": _("Overdue now"), "data": [step.figures.overdue for step in report.steps]},
            ],
        },
    }


@login_required
@require_GET
def analytics_page(request):
    _reader_only(request.user)
    form = AnalyticsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "workflows/analytics.html", {"form": form, "reports": []}, status=400)
    reports = analytics.process_analytics(user=request.user, filters=form.filters())
    return render(request, "workflows/analytics.html", {
        "form": form, "reports": reports,
        "charts": [{"id": f"flow-{index}", "flow": report.title, **_charts(report)}
                   for index, report in enumerate(reports)],
        "csv_query": request.GET.urlencode(),
    })


@login_required
@require_GET
def analytics_csv(request):
    _reader_only(request.user)
    form = AnalyticsFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        raise ValidationFailed(form.first_error(), fields=form.errors)
    rows = analytics.analytics_export(actor=request.user, filters=form.filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="process-analytics-{timezone.localdate():%Y-%m-%d}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    csv.writer(response).writerows(rows)
    return response
