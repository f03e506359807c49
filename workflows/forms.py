from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation, User

from .holidays import MAX_LIST_BYTES
from .services import task_department_id


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("New assignee"), queryset=User.objects.none())

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Membership.objects.filter(
            organisation_id=task_department_id(task), role__in=["clerk", "supervisor"]
        ).values("user")
        self.fields["assignee"].queryset = User.objects.filter(pk__in=staff, is_active=True).order_by("full_name")


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)


class HolidayImportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name"))
    file = forms.FileField(label=_("Yearly list (CSV)"),
                           help_text=_("One holiday per line: YYYY-MM-DD,name. A header line date,name is allowed."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError(_("The list is too long for a holiday calendar."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The list must be a UTF-8 text file.")) from exc
