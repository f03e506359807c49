"""Forms of the staff steps (the flow's ``task_forms``) and of the supplier's and dispatcher's actions on a report.
The resident's report form is in ``intake_forms``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.validators import no_invisible_controls

from .models import Category

NOTE_MAX = 2000


def _note(label, *, required=False, help_text=""):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}), required=required,
                           max_length=NOTE_MAX, validators=[no_invisible_controls], help_text=help_text)


def _choice(label, choices):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} — {obj.name}" if obj.parent_id else obj.name


def _category_field(**kwargs):
    return CategoryChoiceField(label=_("Category"), queryset=Category.objects.filter(active=True)
                               .select_related("parent"), **kwargs)


def _works_reports():
    return Organisation.objects.filter(kind__in=[Organisation.Kind.SUPPLIER, Organisation.Kind.DEPARTMENT])


class ModerationForm(forms.Form):
    decision = _choice(_("Decision"), [("admit", _("Admit — route it to its supplier")),
                                       ("reject", _("Reject — it is not a problem we handle, or not a real report"))])
    category = _category_field(required=False, help_text=_("The suggestion is pre-selected; what you choose is kept."))
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    reason = _note(_("Public reason (for a rejection)"),
                   help_text=_("Shown to the reporter and on the public page."))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "admit" and not data.get("category"):
            self.add_error("category", _("Choose the category of the problem."))
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the report is rejected: the reporter reads it."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data


class AcceptanceForm(forms.Form):
    decision = _choice(_("Is this report yours to fix?"),
                       [("accept", _("Yes — accept it")), ("hand_back", _("No — hand it back to the dispatcher"))])
    comment = _note(_("Reason (when handing back)"), help_text=_("Tell the dispatcher whose it is, if you know."))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "hand_back" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the report is not yours."))
        return data


class DispatchForm(forms.Form):
    decision = _choice(_("Decision"), [("route", _("Send it to a supplier")),
                                       ("reject", _("Reject it with a public reason"))])
    organisation = forms.ModelChoiceField(label=_("Supplier"), queryset=_works_reports(), required=False)
    reason = _note(_("Reason"), help_text=_("For a rejection, shown to the reporter and on the public page."))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "route" and not data.get("organisation"):
            self.add_error("organisation", _("Choose who fixes it."))
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the report is rejected: the reporter reads it."))
        return data


class ResolutionForm(forms.Form):
    note = _note(_("What was done (public)"), required=True,
                 help_text=_("Shown to the reporter, to everyone following the report, and on the public page."))
    photo = forms.FileField(label=_("Photo of the result (optional)"), required=False)


class ProgressForm(forms.Form):
    note = _note(_("Update (public)"), required=True,
                 help_text=_("Shown on the public page and sent to the report's followers."))


class RerouteForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Send to"), queryset=_works_reports())
    reason = _note(_("Reason"), required=True, help_text=_("Kept in the report's trail."))


class MergeForm(forms.Form):
    master = forms.CharField(label=_("Reference of the report it duplicates"), max_length=32,
                             help_text=_("For example PR-2026-000123."))


class SatisfactionForm(forms.Form):
    fixed = forms.TypedChoiceField(label=_("Is the problem fixed?"), choices=[("yes", _("Yes")), ("no", _("No"))],
                                   coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with how it was handled?"), coerce=int, widget=forms.RadioSelect,
        choices=[("5", _("Very satisfied")), ("4", _("Satisfied")), ("3", _("Neither satisfied nor dissatisfied")),
                 ("2", _("Dissatisfied")), ("1", _("Very dissatisfied"))])
    comment = _note(_("Anything to add?"),
                    help_text=_("If it is not fixed, say what is still wrong: the supplier reads it."))
