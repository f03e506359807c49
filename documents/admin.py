from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from accounts import permissions
from accounts.models import Role
from core.admin import ReadOnlyAdminMixin
from core.errors import DomainError
from core.route_access import PAGE, AdminSite
from core.validators import no_invisible_controls

from .issuing import document_revoke
from .models import Document, DocumentClass, DocumentVersion, IssuedDocument
from .retention import (
    disposal_approve,
    disposal_cancel,
    disposal_execute,
    disposal_propose,
    legal_hold_place,
    legal_hold_release,
    may_hold,
)
from .retention_models import DisposalItem, DisposalRun, LegalHold, RetentionRule
from .sweeper import SweptBlob


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for revocation"), max_length=2000, validators=[
        no_invisible_controls], widget=forms.Textarea(
        attrs={"rows": 3, "cols": 80}), help_text=gettext_lazy("Shown on the public verify page."))


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Issued documents are made by their e-service and never edited; an
    administrator or a supervisor of the owner organisation may revoke one
    (through the service, so the check and the audit row are the same everywhere)."""

    list_display = ["display_code", "title", "issued_to", "issued_at", "signer_subject", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "issued_at"]
    search_fields = ["code", "title", "issued_to"]
    list_select_related = ["version__document"]
    readonly_fields = ["display_code", "verify_link", "title", "issued_to", "language", "issued_at", "issued_by",
                       "version", "sha256", "signer_subject", "signature_method", "signed_at", "retained_until",
                       "revoked_at", "revoked_by", "revocation_reason"]
    fields = readonly_fields
    actions = ["revoke"]

    @admin.display(description=gettext_lazy("verification code"), ordering="code")
    def display_code(self, obj):
        return obj.display_code

    @admin.display(description=gettext_lazy("verify page"))
    def verify_link(self, obj):
        url = reverse("documents:verify", args=[obj.display_code])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.display(description="SHA-256")
    def sha256(self, obj):
        return obj.version.sha256

    def has_revoke_permission(self, request):
        user = request.user
        return permissions.has_role(user, Role.ADMIN) or bool(permissions.headed_organisation_ids(user))

    @admin.action(description=gettext_lazy("Revoke (asks for the reason)"), permissions=["revoke"])
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if request.POST.get("confirm") else None)
        if form.is_valid():
            for issued in queryset:
                try:
                    document_revoke(actor=request.user, issued=issued, reason=form.cleaned_data["reason"])
                except DomainError as exc:
                    problems = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
                    self.message_user(request, f"{issued.display_code}: {' '.join(problems)}", messages.ERROR)
                else:
                    self.message_user(request, _("%(code)s revoked.") % {"code": issued.display_code},
                                      messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/documents/reason_action.html", {
            **self.admin_site.each_context(request), "title": _("Revoke issued documents"), "opts": self.model._meta,
            "explanation": _("The verify page of each of these documents will say that it was revoked, when, and "
                             "why. This cannot be undone."),
            "queryset": queryset, "form": form, "action": "revoke", "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


# --- records management: classes, documents, holds, disposal ------------------------------

def _report(modeladmin, request, done, failures):
    for label, exc in failures:
        problems = [str(m) for ms in exc.fields.values() for m in ms] or [str(exc.message)]
        modeladmin.message_user(request, f"{label}: {' '.join(problems)}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done, messages.SUCCESS)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class RetentionRuleInline(admin.TabularInline):
    model = RetentionRule
    extra = 0


@admin.register(DocumentClass)
class DocumentClassAdmin(SimpleHistoryAdmin):
    """The classification scheme: administrators add classes and say how long each is kept."""

    list_display = ["code", "name", "retention_years", "disposal", "confidentiality"]
    search_fields = ["code", "name"]
    inlines = [RetentionRuleInline]

    def has_delete_permission(self, request, obj=None):
        return False  # documents name their class for as long as they exist


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    can_delete = False
    fields = readonly_fields = ["number", "original_name", "mime_type", "size", "sha256", "author", "created_at",
                                "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Documents change only through the store's services: read-only here."""

    list_display = ["title", "document_class", "confidentiality", "case_label", "created_at", "disposal_due",
                    "disposed_at"]
    list_filter = ["document_class", "confidentiality", "disposal_action",
                   ("disposed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "case_id", "code"]
    list_select_related = ["document_class", "case_type"]
    fields = readonly_fields = ["title", "document_class", "owner", "confidentiality", "case_label", "code",
                                "created_at", "created_by", "locked_by", "lock_expires_at", "outcome",
                                "disposal_action", "disposal_due", "disposed_at"]
    inlines = [DocumentVersionInline]

    @admin.display(description=gettext_lazy("case"))
    def case_label(self, obj):
        return str(obj.case) if obj.case_type_id else "—"


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["document", "case_type", "case_id", "reason"]


@admin.register(LegalHold)
class LegalHoldAdmin(SimpleHistoryAdmin):
    """Holds are placed and released through the retention services (checked and audited)."""

    form = LegalHoldForm
    list_display = ["__str__", "reason", "placed_by", "placed_at", "released_at"]
    list_filter = [("released_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["document"]
    actions = ["release"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return may_hold(request.user)

    def save_model(self, request, obj, form, change):
        case = None
        if obj.case_type_id:
            case = obj.case_type.get_object_for_this_type(pk=obj.case_id)
        hold = legal_hold_place(actor=request.user, reason=obj.reason, document=obj.document, case=case)
        obj.pk, obj._state.adding = hold.pk, False

    def has_release_permission(self, request):
        return may_hold(request.user)

    @admin.action(description=gettext_lazy("Release (asks for the reason)"), permissions=["release"])
    def release(self, request, queryset):
        form = ReasonForm(request.POST if request.POST.get("confirm") else None)
        if not form.is_valid():
            return TemplateResponse(request, "admin/documents/reason_action.html", {
                **self.admin_site.each_context(request), "title": _("Release legal holds"),
                "explanation": _("Released documents can be disposed of again once their retention has ended."),
                "opts": self.model._meta, "queryset": queryset, "form": form, "action": "release",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            })
        failures = []
        for hold in queryset:
            try:
                legal_hold_release(actor=request.user, hold=hold, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                failures.append((hold, exc))
        _report(self, request, _("Legal holds released.") if len(failures) < len(queryset) else "", failures)
        return None


class DisposalItemInline(admin.TabularInline):
    model = DisposalItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ["document", "action", "result", "versions", "done_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DisposalRun)
class DisposalRunAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Disposal: *Propose* lists what is due; another administrator *approves*; then *carry out*."""

    list_display = ["__str__", "status", "due_by", "proposed_by", "approved_by", "executed_at"]
    list_filter = ["status"]
    fields = readonly_fields = ["status", "due_by", "proposed_by", "proposed_at", "approved_by", "approved_at",
                                "executed_at"]
    inlines = [DisposalItemInline]
    actions = ["approve", "execute", "cancel"]
    change_list_template = "admin/documents/disposalrun/change_list.html"

    def get_urls(self):
        from django.urls import path

        return [path("propose/", self.admin_site.admin_view(self.propose_view), name="documents_disposalrun_propose"),
                *super().get_urls()]

    def propose_view(self, request):
        if request.method != "POST":
            return redirect("admin:documents_disposalrun_changelist")
        try:
            run = disposal_propose(actor=request.user)
        except DomainError as exc:
            _report(self, request, "", [(_("Disposal"), exc)])
            return redirect("admin:documents_disposalrun_changelist")
        self.message_user(request, _("%(run)s proposed: %(count)s document(s). Another administrator approves it.")
                          % {"run": run, "count": run.items.count()}, messages.SUCCESS)
        return redirect("admin:documents_disposalrun_change", run.pk)

    def has_approve_permission(self, request):
        return permissions.has_role(request.user, Role.ADMIN)

    has_execute_permission = has_cancel_permission = has_approve_permission

    def _each(self, request, queryset, service, done):
        failures = []
        for run in queryset:
            try:
                service(actor=request.user, run=run)
            except DomainError as exc:
                failures.append((run, exc))
        _report(self, request, done if len(failures) < len(queryset) else "", failures)

    @admin.action(description=gettext_lazy("Approve"), permissions=["approve"])
    def approve(self, request, queryset):
        self._each(request, queryset, disposal_approve, _("Approved."))

    @admin.action(description=gettext_lazy("Carry out"), permissions=["execute"])
    def execute(self, request, queryset):
        self._each(request, queryset, disposal_execute, _("Carried out."))

    @admin.action(description=gettext_lazy("Cancel"), permissions=["cancel"])
    def cancel(self, request, queryset):
        self._each(request, queryset, disposal_cancel, _("Cancelled."))


@admin.register(SweptBlob)
class SweptBlobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the blob sweeper removed from the document storage, and why (documents.sweeper);
    each removal is also on the audit log (``documents.blob.sweep``)."""

    list_display = ["key", "reason", "bytes", "modified_at", "swept_at"]
    list_filter = ["reason", "swept_at"]
    search_fields = ["key"]
    date_hierarchy = "swept_at"
    fields = readonly_fields = ["key", "reason", "size", "modified_at", "swept_at"]

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def bytes(self, obj):
        return filesizeformat(obj.size)


# The admin pages of the models registered here that an administrator is refused (403): they are kept
# read-only in the admin (core.route_access.AdminSite; checked by tests/test_route_matrix.py).
access = AdminSite(
    refused={
        "documents.issueddocument": ("add", "delete"),
        "documents.documentclass": ("delete",),
        "documents.document": ("add", "delete"),
        "documents.legalhold": ("delete",),
        "documents.disposalrun": ("add", "delete"),
        "documents.sweptblob": ("add", "delete"),
    },
    pages={"propose": PAGE},  # disposal: proposes on POST; a GET leads back to the runs
)
