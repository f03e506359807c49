from django import forms
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts.models import Membership, Organisation, User
from accounts.permissions import working_memberships
from core.validators import no_invisible_controls

from .holidays import MAX_LIST_BYTES
from .selectors import Due, InboxFilter, service_choices
from .services import task_department_id


def _staff_of(department_ids):
    staff = Membership.objects.filter(working_memberships(), organisation_id__in=department_ids).values("user")
    return User.objects.filter(pk__in=staff, is_active=True).order_by("full_name", "id")


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("New assignee"), queryset=User.objects.none())

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_of([task_department_id(task)])


class BulkReassignForm(forms.Form):
    """A supervisor hands several tasks of their departments to one colleague."""

    MAX_TASKS = 100

    tasks = forms.ModelMultipleChoiceField(label=_("Tasks"), queryset=Task.objects.none(),
                                           error_messages={"required": _("Tick the tasks to reassign.")})
    assignee = forms.ModelChoiceField(label=_("New assignee"), queryset=User.objects.none(),
                                      error_messages={"required": _("Choose who takes the tasks.")})

    def __init__(self, *args, supervised_department_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff_of(supervised_department_ids)
        self.fields["tasks"].queryset = Task.objects.filter(
            owner_permission_obj_pk__in=[str(pk) for pk in supervised_department_ids])

    def clean_tasks(self):
        tasks = self.cleaned_data["tasks"]
        if len(tasks) > self.MAX_TASKS:
            raise forms.ValidationError(_("Reassign at most %(n)d tasks at a time.") % {"n": self.MAX_TASKS})
        return tasks


class InboxFilterForm(forms.Form):
    """The inbox's filter bar (a GET form). Unknown values are a 400, not a guess."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Reference or applicant")}))
    service = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Any status")), (STATUS.NEW, _("Unassigned")), (STATUS.ASSIGNED, _("Assigned")),
        (STATUS.STARTED, _("In progress")),
    ])
    due = forms.ChoiceField(label=_("Due"), required=False, choices=[
        ("", _("Any time")), (Due.OVERDUE, _("Overdue")), (Due.DAY, _("Within 24 hours")),
        (Due.WEEK, _("Within 7 days")), (Due.NONE, _("No deadline")),
    ])
    district = forms.ModelChoiceField(label=_("District"), required=False, empty_label=_("Any district"),
                                      queryset=Organisation.objects.filter(kind=Organisation.Kind.DISTRICT))
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[
        ("oldest", _("Oldest first")), ("newest", _("Newest first")), ("due", _("Due soonest")),
        ("-due", _("Due latest")),
    ])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Any service")), *service_choices()]

    def criteria(self):
        data = self.cleaned_data
        return InboxFilter(query=data["q"], service=data["service"], status=data["status"], due=data["due"],
                           district=data["district"].pk if data["district"] else None,
                           sort=data["sort"] or "oldest")


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                              max_length=4000, validators=[no_invisible_controls])


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


class DelegationForm(forms.Form):
    substitute = forms.ModelChoiceField(label=_("Substitute"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date",
                                                                               "class": "govuk-input--width-10"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date",
                                                                            "class": "govuk-input--width-10"}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200, validators=[no_invisible_controls],
                             help_text=_("For example, annual leave."),
                             widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}))

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["substitute"].queryset = colleagues
