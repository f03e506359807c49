"""The CaseFlow contract checks itself: `manage.py check` names a misspelt step, a handler the task page
cannot call, and a status without a name."""

from django import forms
from django.core.management import call_command
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows.checks import flow_contract_errors
from workflows.flows import CaseFlow, no_url_view
from workflows.sla import Sla


class NoteForm(forms.Form):
    note = forms.CharField()


def handle_note(*, task, actor, data):
    """A handler as the task page calls it."""


def handle_note_and_files(*, task, actor, data, files):
    """A handler that waits for an argument the task page never passes."""


class PetitionFlow(CaseFlow, flow.Flow):
    start = flow.StartHandle().Next(this.moderate)
    moderate = flow.View(no_url_view).Next(this.end)
    end = flow.End()

    task_sla = {"moderate": Sla(days=2), "moderation": Sla(days=1)}
    task_forms = {"moderate": (NoteForm, handle_note_and_files), "answer": (NoteForm, handle_note)}
    task_panels = {"moderate": ("petitions/signatures.html", dict), "sign_off": ("petitions/signatures.html", dict)}
    case_statuses = {"moderate": "in_moderation", "publish": "published"}
    status_labels = {"published": _("Published")}


def test_the_check_names_each_misspelt_step_and_where_it_is():
    messages = {error.id: [] for error in flow_contract_errors("petitions.PetitionFlow", PetitionFlow)}
    for error in flow_contract_errors("petitions.PetitionFlow", PetitionFlow):
        messages[error.id].append(error.msg)
    assert sorted(messages["workflows.E001"]) == [
        "petitions.PetitionFlow.case_statuses names the step 'publish', which the flow does not have.",
        "petitions.PetitionFlow.task_forms names the step 'answer', which the flow does not have.",
        "petitions.PetitionFlow.task_panels names the step 'sign_off', which the flow does not have.",
        "petitions.PetitionFlow.task_sla names the step 'moderation', which the flow does not have.",
    ]
    assert messages["workflows.E003"] == [
        "petitions.PetitionFlow.task_forms['moderate']: the handler handle_note_and_files cannot be called as "
        "handler(task=…, actor=…, data=…): it also requires files."]
    assert messages["workflows.E004"] == [
        "petitions.PetitionFlow.case_statuses uses the status 'in_moderation', which its status_labels do not name."]


def test_every_flow_of_the_project_keeps_its_contract(capsys):
    call_command("check")  # raises SystemCheckError when any flow breaks its contract
    assert "no issues" in capsys.readouterr().out
