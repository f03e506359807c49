"""The legal-hold desk for auditors (and administrators), who are not admin staff: the holds in force,
placing one on a case by its reference, releasing one. Both go through the retention services, which
check the rule and write the audit event on the case's trail."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import InvalidTransition, ValidationFailed
from core.forms import add_domain_errors
from core.validators import no_invisible_controls

from .access import case_by_reference
from .retention import legal_hold_place, legal_hold_release, may_hold
from .retention_models import LegalHold
from .selectors import legal_holds_listed


class HoldPlaceForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Case reference"), max_length=32,
                                help_text=gettext_lazy("As printed on the case, e.g. BP-2026-000123."))
    reason = forms.CharField(label=gettext_lazy("Reason for the hold"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}), validators=[no_invisible_controls])

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        case = case_by_reference(reference)
        if case is None:
            raise forms.ValidationError(_("No case has the reference %(reference)s.") % {"reference": reference})
        self.case = case
        return reference


class HoldReleaseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for the release"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}), validators=[no_invisible_controls])


def _desk(request, *, place_form=None, release_forms=None, status=200):
    active, released = legal_holds_listed()
    release_forms = release_forms or {}
    rows = [(hold, release_forms.get(hold.pk) or HoldReleaseForm(prefix=f"release-{hold.pk}")) for hold in active]
    return render(request, "documents/legal_holds.html", {
        "place_form": place_form or HoldPlaceForm(initial={"reference": request.GET.get("reference", "")[:32]}),
        "active_rows": rows, "released": released,
    }, status=status)


def _may_use_the_desk(user):
    if not may_hold(user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def legal_holds(request):
    _may_use_the_desk(request.user)
    if request.method == "GET":
        return _desk(request)
    form = HoldPlaceForm(request.POST)
    if form.is_valid():
        try:
            legal_hold_place(actor=request.user, case=form.case, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            return _desk(request, place_form=form, status=add_domain_errors(form, exc))
        messages.success(request, _("The documents of %(reference)s are held.") % {
            "reference": form.cleaned_data["reference"]})
        return redirect("holds:list")
    return _desk(request, place_form=form, status=400)


@login_required
@require_POST
def legal_hold_release_view(request, pk):
    _may_use_the_desk(request.user)
    hold = get_object_or_404(LegalHold, pk=pk)
    form = HoldReleaseForm(request.POST, prefix=f"release-{hold.pk}")
    if form.is_valid():
        try:
            legal_hold_release(actor=request.user, hold=hold, reason=form.cleaned_data["reason"])
        except InvalidTransition as exc:
            messages.error(request, exc.message)
        except ValidationFailed as exc:
            return _desk(request, release_forms={hold.pk: form}, status=add_domain_errors(form, exc))
        else:
            messages.success(request, _("The hold on %(subject)s is released.") % {"subject": hold})
        return redirect("holds:list")
    return _desk(request, release_forms={hold.pk: form}, status=400)
