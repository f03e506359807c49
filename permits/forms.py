"""The forms of the permit's staff steps (the flow's ``task_forms``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validators import no_invisible_controls


def yes_or_no(label, yes, no):
    """A required choice between two answers, read as True for ``yes``."""
    return forms.TypedChoiceField(label=label, choices=[("yes", yes), ("no", no)], coerce=lambda v: v == "yes",
                                  widget=forms.RadioSelect)


class CompletenessForm(forms.Form):
    complete = yes_or_no(_("Is the application complete?"), _("Yes — send to technical review"),
                         _("No — return to the applicant for correction"))
    comment = forms.CharField(label=_("Comment (what must be corrected)"), widget=forms.Textarea(attrs={"rows": 3}),
                              required=False, max_length=4000, validators=[no_invisible_controls])


class ReviewForm(forms.Form):
    favourable = yes_or_no(_("Opinion"), _("Favourable"), _("Unfavourable"))
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000, validators=[no_invisible_controls])


class DecisionForm(forms.Form):
    approve = yes_or_no(_("Decision"), _("Approve — issue the permit"), _("Refuse"))
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              max_length=8000, validators=[no_invisible_controls])
