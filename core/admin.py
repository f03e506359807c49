from django.contrib import admin

from .models import AuditEvent


class ReadOnlyAdminMixin:
    """For records that change only through their services (or never)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log is append-only everywhere, the admin included."""

    list_display = ("id", "created", "action", "object_label", "actor_label", "request_id")
    list_filter = ("action",)
    search_fields = ("object_label", "actor_label", "request_id", "trail_key")
