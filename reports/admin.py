from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdminMixin
from core.route_access import AdminSite

from .models import Address, Category, CategoryAttribute, District, InboundMessage, Report, RoutingRule


class CategoryAttributeInline(TranslationTabularInline):
    model = CategoryAttribute
    extra = 0


class RoutingRuleInline(admin.TabularInline):
    model = RoutingRule
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ["name", "code", "parent", "icon", "resolution_days", "active", "order"]
    list_filter = ["active", "parent"]
    search_fields = ["code", "name"]
    inlines = [CategoryAttributeInline, RoutingRuleInline]


@admin.register(District)
class DistrictAdmin(SimpleHistoryAdmin):
    list_display = ["department", "min_latitude", "max_latitude", "min_longitude", "max_longitude"]
    readonly_fields = ["min_latitude", "max_latitude", "min_longitude", "max_longitude"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(SimpleHistoryAdmin):
    """The routing matrix: one row per category and district (or the whole city)."""

    list_display = ["category", "district", "organisation"]
    list_filter = ["district", "category__parent", "organisation"]
    list_editable = ["organisation"]
    search_fields = ["category__code", "category__name", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Address)
class AddressAdmin(SimpleHistoryAdmin):
    """The address list the report form's search offers (``manage.py import_addresses`` loads a whole file)."""

    list_display = ["label", "latitude", "longitude"]
    search_fields = ["label"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports are changed through their flow and the staff pages (audited); the admin only reads them."""

    list_display = ["reference", "category", "status", "channel", "district", "supplier", "created_at"]
    list_filter = ["status", "channel", "district", "category"]
    search_fields = ["reference", "description", "address"]
    date_hierarchy = "created_at"
    exclude = ["access_key"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # Django 6's default, without its warning

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.get_status_display()


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every SMS and e-mail taken in, and what it became: where an operator looks when someone says they texted
    and heard nothing. Their senders are private, as reports' contacts are."""

    list_display = ["received_at", "channel", "external_id", "outcome", "report", "language"]
    list_filter = ["channel", "outcome"]
    search_fields = ["external_id", "sender", "report__reference"]
    date_hierarchy = "received_at"


# The admin pages of the models registered here that an administrator is refused (403): a report changes only
# through its flow and the staff pages (core.route_access.AdminSite; checked by tests/test_route_matrix.py).
access = AdminSite(refused={"reports.report": ("add", "delete"), "reports.inboundmessage": ("add", "delete")})
