from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User

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
