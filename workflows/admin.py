from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from viewflow.workflow import admin as viewflow_admin
from viewflow.workflow.models import Process, Task

from core.admin import ReadOnlyAdminMixin
from core.errors import ValidationFailed
from core.forms import add_domain_errors
from core.route_access import AdminSite

from .forms import HolidayImportForm
from .holidays import holidays_import, parse_holiday_list
from .models import CaseClock, Holiday, TaskClock


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    list_display = ("date", "name", "organisation")
    list_filter = ("organisation", ("date", admin.DateFieldListFilter))
    search_fields = ("name", "organisation__code")
    date_hierarchy = "date"
    change_list_template = "admin/workflows/holiday/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="workflows_holiday_import"),
                *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HolidayImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                added, updated = holidays_import(actor=request.user, organisation=form.cleaned_data["organisation"],
                                                 rows=parse_holiday_list(form.cleaned_data["file"]))
            except ValidationFailed as exc:
                add_domain_errors(form, exc)
            else:
                messages.success(request, _("%(added)d holidays added, %(updated)d renamed.") % {
                    "added": added, "updated": updated})
                return redirect(reverse("admin:workflows_holiday_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                   "title": _("Import a yearly list of holidays")}
        return TemplateResponse(request, "admin/workflows/holiday/import.html", context,
                                status=400 if request.method == "POST" else 200)


@admin.register(CaseClock)
class CaseClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("process", "due_at", "paused_at", "stopped_at")
    list_filter = ("stopped_at",)


@admin.register(TaskClock)
class TaskClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("task", "due_at", "reminded_at", "escalated_at", "finished_at")


# The engine's rows change only through the workflow services, which check the rule and write the audit
# event (claim, reassign, complete, cancel...). viewflow's own admin lets a superuser edit any column of a
# process or task (e.g. move a review to another department's queue) with no audit row: here it only reads.

class _ReadOnlyTaskInline(ReadOnlyAdminMixin, viewflow_admin.TaskInline):
    pass


class ProcessAdmin(ReadOnlyAdminMixin, viewflow_admin.ProcessAdmin):
    inlines = [_ReadOnlyTaskInline]


class TaskAdmin(ReadOnlyAdminMixin, viewflow_admin.TaskAdmin):
    pass


for _model, _model_admin in ((Process, ProcessAdmin), (Task, TaskAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _model_admin)


# The admin pages of the models registered here that an administrator is refused (403): they are kept
# read-only in the admin (core.route_access.AdminSite; checked by tests/test_route_matrix.py).
access = AdminSite(
    refused={
        "viewflow.process": ("add", "delete"),  # the engine's rows change through audited services only
        "viewflow.task": ("add", "delete"),
        "workflows.caseclock": ("add", "delete"),
        "workflows.taskclock": ("add", "delete"),
    },
    pages={"import": 200},  # a year's holidays from a file
)
