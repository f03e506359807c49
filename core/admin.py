from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .errors import DomainError
from .models import AuditEvent, OutboxMessage
from .outbox import outbox_retry
from .route_access import AdminSite


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


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Where each notification stands, for administrators: delivered, waiting for its next try (and why), or
    given up. Messages change only through the outbox; "retry now" goes through its service (audited)."""

    list_display = ("id", "created", "channel", "address", "subject", "about", "status", "attempts",
                    "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status", "channel")
    search_fields = ("address", "recipient__email", "object_label")
    list_select_related = ("recipient",)
    readonly_fields = ("channel", "address", "recipient", "language", "subject", "body", "object_type", "object_id",
                       "object_label", "status", "attempts", "next_attempt_at", "last_error", "created", "sent_at")
    fields = readonly_fields
    actions = ["retry_now"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_retry_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description=_("about"), ordering="object_label")
    def about(self, obj):
        return obj.object_label

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        retried = 0
        for message in queryset:
            try:
                outbox_retry(actor=request.user, message=message)
            except DomainError as exc:
                self.message_user(request, f"#{message.pk}: {exc.message}", messages.WARNING)
            else:
                retried += 1
        if retried:
            self.message_user(request, ngettext("%(count)d message will be tried again now.",
                                                "%(count)d messages will be tried again now.", retried)
                              % {"count": retried}, messages.SUCCESS)


# The admin pages of the models registered here that an administrator is refused (403): they are kept
# read-only in the admin (core.route_access.AdminSite; checked by tests/test_route_matrix.py).
access = AdminSite(refused={"core.auditevent": ("add", "delete"), "core.outboxmessage": ("add", "delete")})
