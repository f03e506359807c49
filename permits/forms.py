"""The forms of the permit's staff steps (the flow's ``task_forms``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import no_invisible_controls


class CompletenessForm(forms.Form):
    complete = forms.TypedChoiceField(
        label=_("Is the application complete?"),
        choices=[("yes", _("Yes — send to technical review")), ("no", _("No — return to the applicant for correction"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment (what must be corrected)"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=4000, validators=[no_invisible_controls])


class ReviewForm(forms.Form):
    favourable = forms.TypedChoiceField(
        label=_("Opinion"), choices=[("yes", _("Favourable")), ("no", _("Unfavourable"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000, validators=[no_invisible_controls])


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), choices=[("yes", _("Approve — issue the permit")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes", widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=8000, validators=[no_invisible_controls])
