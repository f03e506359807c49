from django.contrib import admin, messages
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from core.errors import DomainError
from core.route_access import AdminSite

from . import services
from .models import Application, RequiredDocument, ServiceType, ServiceVersion, TaskRoute


class TaskRouteInline(admin.TabularInline):
    model = TaskRoute
    extra = 0


class ServiceVersionInline(admin.TabularInline):
    """The versions of a service, newest first; each opens on its own page,
    where drafts are edited and published."""

    model = ServiceVersion
    fields = readonly_fields = ["number", "name", "status", "valid_from", "valid_until"]
    ordering = ["-number"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceType)
class ServiceTypeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "published_version", "department", "reference_series"]
    list_filter = ["department"]
    search_fields = ["code"]
    readonly_fields = ["versions_link"]
    inlines = [ServiceVersionInline, TaskRouteInline]

    def get_queryset(self, request):
        published = ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED)
        return super().get_queryset(request).select_related("department").prefetch_related(
            Prefetch("versions", queryset=published, to_attr="published_versions"))

    @admin.display(description=_("published version"))
    def published_version(self, obj):
        published = getattr(obj, "published_versions", None)
        return str(published[0]) if published else "—"

    @admin.display(description=_("versions"))
    def versions_link(self, obj):
        if obj.pk is None:
            return "—"
        changelist = reverse("admin:eservices_serviceversion_changelist")
        add = reverse("admin:eservices_serviceversion_add")
        return format_html('<a href="{}?service_type__id__exact={}">{}</a> · <a href="{}?service_type={}">{}</a>',
                           changelist, obj.pk, _("Publish, retire or copy a version"), add, obj.pk,
                           _("Add an empty draft"))


class RequiredDocumentInline(TranslationTabularInline):
    """Editable while the version is a draft, like the version itself."""

    model = RequiredDocument
    extra = 0

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)


@admin.register(ServiceVersion)
class ServiceVersionAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """Drafts are edited here; a published or retired version opens read-only.
    Saving, copying, publishing, retiring and discarding go through the
    services, so each is checked and audited the same way everywhere."""

    list_display = ["__str__", "service_type", "number", "status", "valid_from", "valid_until"]
    list_filter = ["status", "service_type"]
    search_fields = ["service_type__code"]
    readonly_fields = ["number", "status", "created"]
    inlines = [RequiredDocumentInline]
    actions = ["new_draft", "publish", "retire"]

    def get_readonly_fields(self, request, obj=None):
        return ["service_type", *self.readonly_fields] if obj is not None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.service_version_save_draft(actor=request.user, version=obj)

    def delete_model(self, request, obj):
        services.service_version_discard_draft(actor=request.user, version=obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a draft is discarded from its own page
        return actions

    @admin.action(description=_("New draft from this version"), permissions=["change"])
    def new_draft(self, request, queryset):
        self._each(request, queryset, services.service_version_new_draft, _("%(version)s created as a draft."),
                   argument="source")

    @admin.action(description=_("Publish (retires the version published before)"), permissions=["change"])
    def publish(self, request, queryset):
        self._each(request, queryset, services.service_version_publish, _("%(version)s published."))

    @admin.action(description=_("Retire (takes the service out of the catalog)"), permissions=["change"])
    def retire(self, request, queryset):
        self._each(request, queryset, services.service_version_retire, _("%(version)s retired."))

    def _each(self, request, queryset, service, done, argument="version"):
        for version in queryset.order_by("service_type", "number"):
            try:
                result = service(actor=request.user, **{argument: version})
            except DomainError as exc:
                problems = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
                self.message_user(request, f"{version}: {' '.join(problems)}", messages.ERROR)
            else:
                self.message_user(request, done % {"version": result or version}, messages.SUCCESS)


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Cases change only through their flow; the admin shows them read-only."""

    list_display = ["reference", "service_type", "service_version", "applicant", "status", "submitted_at",
                    "decided_at"]
    list_filter = ["status", "service_type"]
    list_select_related = ["service_type", "service_version", "applicant"]
    search_fields = ["reference", "applicant__email", "applicant__full_name"]


# The admin pages of the models registered here that an administrator is refused (403): they are kept
# read-only in the admin (core.route_access.AdminSite; checked by tests/test_route_matrix.py).
access = AdminSite(refused={
    "eservices.serviceversion": ("delete",),  # a published version is kept (a draft may go)
    "eservices.application": ("add", "delete"),
})
