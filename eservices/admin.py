from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin

from .models import Application, Attachment, RequiredDocument, ServiceType, TaskRoute


class RequiredDocumentInline(TranslationTabularInline):
    model = RequiredDocument
    extra = 0


class TaskRouteInline(admin.TabularInline):
    model = TaskRoute
    extra = 0


@admin.register(ServiceType)
class ServiceTypeAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "code", "department", "fee", "deadline_days", "is_published"]
    list_filter = ["is_published", "department"]
    search_fields = ["name", "code"]
    inlines = [RequiredDocumentInline, TaskRouteInline]


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    readonly_fields = ["document_code", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Cases change only through their flow; the admin shows them read-only."""

    list_display = ["reference", "service_type", "applicant", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "service_type"]
    search_fields = ["reference", "applicant__email", "applicant__full_name"]
    inlines = [AttachmentInline]
