from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .api_clients import api_client_register, api_client_revoke, api_client_rotate_key
from .errors import DomainError
from .models import ApiClient, AuditEvent, OutboxMessage
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


class ApiClientAddForm(forms.ModelForm):
    class Meta:
        model = ApiClient
        fields = ["name", "contact"]


def _problems(exc):
    return " ".join(str(m) for ms in exc.fields.values() for m in ms) or str(exc.message)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Outside applications and their keys. Adding one registers it through the service and shows its key on
    the next page, once: the key is neither stored nor put in a message (a message waits in a cookie or the
    session until shown). Clients change only through the services: revoke, or give a new key."""

    list_display = ("name", "key_prefix_shown", "is_active", "created", "last_used_at", "revoked_at", "contact")
    list_filter = ("is_active",)
    search_fields = ("name", "contact", "key_prefix")
    readonly_fields = ("name", "contact", "key_prefix_shown", "is_active", "created", "last_used_at", "revoked_at")
    actions = ["revoke", "rotate_key"]

    @admin.display(description=_("key"), ordering="key_prefix")
    def key_prefix_shown(self, obj):
        return f"{obj.key_prefix}…"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiClientAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "contact"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the trail keeps naming the client

    def has_revoke_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    has_rotate_key_permission = has_revoke_permission

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:  # the form checked the name; another registered it meanwhile
            self.message_user(request, _problems(exc), messages.ERROR)
            return redirect(request.path)

    def save_model(self, request, obj, form, change):
        client, key = api_client_register(name=form.cleaned_data["name"], contact=form.cleaned_data["contact"],
                                          actor=request.user)
        for field in ApiClient._meta.concrete_fields:  # the admin goes on with the row the service made
            setattr(obj, field.attname, getattr(client, field.attname))
        obj._state.adding = False
        request._munis_api_key = key

    def response_add(self, request, obj, post_url_continue=None):
        return self._key_page(request, obj, request._munis_api_key, _("API client registered"))

    def _key_page(self, request, client, key, title):
        response = TemplateResponse(request, "admin/core/apiclient/key.html", {
            **self.admin_site.each_context(request), "title": title, "opts": self.model._meta, "client": client,
            "key": key,
        })
        response["Cache-Control"] = "no-store"  # the browser keeps no copy of the key either
        return response

    @admin.action(description=_("Revoke (the key stops working for good)"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for client in queryset:
            try:
                api_client_revoke(client=client, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{client.name}: {_problems(exc)}", messages.WARNING)
            else:
                revoked += 1
        if revoked:
            self.message_user(request, ngettext("%(count)d API client revoked.", "%(count)d API clients revoked.",
                                                revoked) % {"count": revoked}, messages.SUCCESS)

    @admin.action(description=_("Give a new key (the old one stops working)"), permissions=["rotate_key"])
    def rotate_key(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Choose one API client to give a new key."), messages.WARNING)
            return None
        try:
            client, key = api_client_rotate_key(client=queryset.get(), actor=request.user)
        except DomainError as exc:
            self.message_user(request, _problems(exc), messages.ERROR)
            return None
        return self._key_page(request, client, key, gettext("New API key"))


# The admin pages of the models registered here that an administrator is refused (403): they are kept
# read-only in the admin (core.route_access.AdminSite; checked by tests/test_route_matrix.py).
access = AdminSite(refused={"core.auditevent": ("add", "delete"), "core.outboxmessage": ("add", "delete"),
                           "core.apiclient": ("delete",)})
