"""The REST API of problem reports for the staff who handle them (dispatchers, suppliers, auditors): read the
reports one may see, and every action of their flow. A step is claimed for the caller when nobody holds it, and
done in the same call; its form's rules apply as on the task page."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.errors import ValidationFailed

from .. import forms, selectors, services
from ..models import Report
from . import serializers as s


def _step_form(form_class, data, files=None):
    """The cleaned data of a step's form, as the task page validates it; ValidationFailed with its field errors."""
    form = form_class(data, files)
    if not form.is_valid():
        raise ValidationFailed(fields={field: [str(m) for m in messages] for field, messages in form.errors.items()})
    return form.cleaned_data


def _pk(value):
    return value.pk if value is not None else None


class HandlesReports(BasePermission):
    """Staff who work a queue, auditors and administrators; citizens are refused before anything is read."""

    message = _lazy("The reports API is for the staff who handle problem reports.")

    def has_permission(self, request, view):
        return selectors.handles_reports(request.user)


@extend_schema(tags=["problem reports"])
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Problem reports the caller handles: a supplier's staff their supplier's, a district's its district's, the
    dispatch, auditors and administrators all."""

    serializer_class = s.ReportSerializer
    permission_classes = [HandlesReports]
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]+"
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        reports = selectors.reports_for_staff(self.request.user)
        params = self.request.query_params
        if params.get("status"):
            reports = reports.filter(status=params["status"])
        if params.get("category"):
            reports = reports.filter(category__code=params["category"])
        if params.get("supplier"):
            reports = reports.filter(supplier__code=params["supplier"])
        return reports.order_by("-created_at", "-id")

    @extend_schema(parameters=[
        OpenApiParameter("status", enum=Report.Status.values, description="Only reports in this status."),
        OpenApiParameter("category", pattern=r"^[-a-zA-Z0-9_]+$", description="A category's code."),
        OpenApiParameter("supplier", pattern=r"^[-a-zA-Z0-9_]+$", description="A supplier's organisation code.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _report(self):
        return self.get_object()

    def _step(self, report, step, data):
        report = services.report_step(report=report, step=step, actor=self.request.user, data=data)
        return Response(s.ReportSerializer(report).data)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=s.ModerationSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def moderate(self, request, reference=None):
        report, data = self._report(), self._input(s.ModerationSerializer)
        cleaned = _step_form(forms.ModerationForm, {**data, "category": _pk(data.get("category"))})
        return self._step(report, "moderate", cleaned)

    @extend_schema(request=s.AcceptanceSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, reference=None):
        report = self._report()
        cleaned = _step_form(forms.AcceptanceForm, self._input(s.AcceptanceSerializer))
        return self._step(report, "accept", cleaned)

    @extend_schema(request=s.DispatchSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_report(self, request, reference=None):
        report, data = self._report(), self._input(s.DispatchSerializer)
        cleaned = _step_form(forms.DispatchForm, {**data, "organisation": _pk(data.get("organisation"))})
        return self._step(report, "dispatch", cleaned)

    @extend_schema(request={"multipart/form-data": s.ResolutionSerializer, "application/json": s.ResolutionSerializer},
                   responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, reference=None):
        report, data = self._report(), self._input(s.ResolutionSerializer)
        cleaned = _step_form(forms.ResolutionForm, {"note": data["note"]},
                             {"photo": data["photo"]} if data.get("photo") else None)
        return self._step(report, "work", cleaned)

    @extend_schema(request=s.ProgressSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"], url_path="update", url_name="update")
    def post_update(self, request, reference=None):
        report = self._report()
        data = _step_form(forms.ProgressForm, self._input(s.ProgressSerializer))
        report = services.report_post_update(report=report, actor=request.user, note=data["note"])
        return Response(s.ReportSerializer(report).data)

    @extend_schema(request=s.RerouteSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def reroute(self, request, reference=None):
        report, data = self._report(), self._input(s.RerouteSerializer)
        report = services.report_reroute(report=report, actor=request.user, organisation=data["organisation"],
                                         reason=data["reason"])
        return Response(s.ReportSerializer(report).data)

    @extend_schema(request=s.MergeSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, reference=None):
        report, data = self._report(), self._input(s.MergeSerializer)
        master = selectors.report_for_staff(request.user, data["master"].strip().upper())
        if master is None:
            raise NotFound(_("No report %(reference)s that you can see.") % {"reference": data["master"]})
        report = services.report_merge(duplicate=report, master=master, actor=request.user)
        return Response(s.ReportSerializer(report).data)
