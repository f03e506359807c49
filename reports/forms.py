"""Forms of the staff steps (the flow's ``task_forms``) and of the supplier's and dispatcher's actions on a report.
The resident's report form is in ``intake_forms``."""

from django import forms
from django.conf import settings
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.maps import PointFields
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


def grouped_categories():
    """The active categories for one select: a category without sub-categories as an option, one with them as a
    group holding itself and its sub-categories."""
    from .selectors import categories_listed

    choices, groups = [], {}
    for category in categories_listed():
        if category.parent_id is None:
            entry = [category.name, [(category.pk, category.name)]]
            groups[category.pk] = entry
            choices.append(entry)
        elif category.parent_id in groups:
            groups[category.parent_id][1].append((category.pk, category.name))
    return [(top[1][0][0], top[0]) if len(top[1]) == 1 else (top[0], top[1]) for top in choices]


class PhoneReportForm(PointFields):
    """The call centre's form: what, where, the description, who called. Built to be filled during the call:
    the first field has the focus, each is one keystroke from the next; the place on the map (the point picker,
    drawn after the other fields) is optional when the caller gives an address."""

    category = forms.TypedChoiceField(label=_("What is the problem?"), coerce=int,
                                      widget=forms.Select(attrs={"autofocus": True}),
                                      error_messages={"required": _("Choose the kind of problem."),
                                                      "invalid_choice": _("Choose the kind of problem.")})
    address = forms.CharField(label=_("Where is it?"), max_length=255, required=False,
                              help_text=_("The address or a landmark, as the caller says it."))
    description = forms.CharField(label=_("What did the caller say?"), widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=2000, validators=[no_invisible_controls],
                                  error_messages={"required": _("Describe the problem.")},
                                  help_text=_("Shown in public: leave out the caller's name and number."))
    caller_name = forms.CharField(label=_("Caller's name"), max_length=200, required=False,
                                  widget=forms.TextInput(attrs={"autocomplete": "off"}))
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False,
                                   help_text=_("Never shown in public. The caller gets the reference by SMS."),
                                   widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off",
                                                                 "class": "govuk-input--width-20"}))
    wants_updates = forms.BooleanField(label=_("The caller wants the report's news by SMS"), required=False)
    language = forms.ChoiceField(label=_("Caller's language"), choices=lambda: [
        (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES])

    field_order = ["category", "address", "description", "caller_name", "caller_phone", "wants_updates", "language",
                   "latitude", "longitude"]
    #: drawn by the point picker, not with the other fields
    POINT = ("latitude", "longitude")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose the kind of problem")), *grouped_categories()]
        self.fields["address"].optional = False  # unless the place is on the map (clean)

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name not in self.POINT]

    def clean_category(self):
        category = Category.objects.filter(pk=self.cleaned_data["category"], active=True).first()
        if category is None:
            raise forms.ValidationError(_("Choose the kind of problem."))
        return category

    def clean(self):
        data = super().clean()
        if (not (data.get("address") or "").strip() and data.get("latitude") is None
                and not self.has_error("address") and not self.has_error("latitude")):
            self.add_error("address", _("Say where the problem is: the address or a place on the map."))
        return data
