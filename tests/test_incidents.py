"""A failing automatic step becomes an incident instead of losing the decision
that led to it; an administrator retries or skips it, audited."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.models import Task

from core.models import AuditEvent
from documents import issuing
from eservices.models import Application
from eservices.selectors import decision_letter_of
from permits import services as permits

from .cases import claimed, reviewed


class RendererDown(RuntimeError):
    pass


@pytest.fixture
def pdf_renderer_down(monkeypatch):
    """The PDF renderer crashes (as WeasyPrint does on a broken font cache)."""
    def crash(*args, **kwargs):
        raise RendererDown("PDF renderer unavailable")

    monkeypatch.setattr(issuing, "html_to_pdf", crash)
    return monkeypatch


def _approve(application, supervisor):
    permits.permit_decide(task=claimed(application, "decision", supervisor), actor=supervisor,
                            data={"approve": True, "reasons": ""})
    application.refresh_from_db()
    return application


def _letter_task(application):
    return Task.objects.filter(process_id=application.process_id, flow_task_type="FUNCTION").order_by("-id").first()


def test_a_failing_letter_step_becomes_an_incident_and_the_decision_is_kept(client, people, pdf_renderer_down):
    application = _approve(reviewed(people.citizen, people), people.supervisor)

    failed = _letter_task(application)
    assert failed.status == "ERROR"
    assert "PDF renderer unavailable" in failed.data["_exception"]["title"]
    decision = Task.objects.get(process_id=application.process_id, flow_task_type="HUMAN", status="DONE",
                                owner=people.supervisor)
    assert decision.data["approve"] is True
    assert application.status == "awaiting_decision" and decision_letter_of(application) is None
    actions = list(AuditEvent.objects.filter(trail_key=f"eservices.application:{application.pk}")
                   .values_list("action", flat=True))
    assert actions[-2:] == ["eservices.application.decide", "workflows.task.fail"]
    assert "eservices.application.issue_letter" not in actions  # the rolled-back work left no audit row
    call_command("verify_audit")

    client.force_login(people.admin)
    page = client.get(reverse("workflows:incidents")).content.decode()
    assert application.reference in page and "PDF renderer unavailable" in page


def test_an_administrator_retries_the_incident_and_the_case_completes(client, people, pdf_renderer_down):
    application = _approve(reviewed(people.citizen, people), people.supervisor)
    failed = _letter_task(application)

    client.force_login(people.admin)
    response = client.post(reverse("workflows:incident_retry", args=[failed.pk]))  # still down: a new incident
    assert response.status_code == 302
    assert Task.objects.filter(process_id=application.process_id, status="ERROR").count() == 1
    assert _letter_task(application).pk != failed.pk

    pdf_renderer_down.undo()  # the renderer is back
    response = client.post(reverse("workflows:incident_retry", args=[_letter_task(application).pk]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED and decision_letter_of(application) is not None
    assert application.process.status == "DONE"
    assert "No incidents" in client.get(reverse("workflows:incidents")).content.decode()
    retries = AuditEvent.objects.filter(action="workflows.incident.retry").order_by("id")
    assert [(e.actor_id, e.after["outcome"]) for e in retries] == [(people.admin.pk, "failed_again"),
                                                                    (people.admin.pk, "done")]
    assert AuditEvent.objects.filter(action="eservices.application.issue_letter").count() == 1


def test_an_administrator_skips_the_incident_with_a_reason(client, people, pdf_renderer_down):
    application = _approve(reviewed(people.citizen, people), people.supervisor)
    failed = _letter_task(application)
    client.force_login(people.admin)

    response = client.post(reverse("workflows:incident_skip", args=[failed.pk]), {"reason": ""})
    assert response.status_code == 302
    assert Task.objects.get(pk=failed.pk).status == "ERROR"  # no reason, no skip

    client.post(reverse("workflows:incident_skip", args=[failed.pk]), {"reason": "Letter sent on paper."})
    application.refresh_from_db()
    assert application.process.status == "DONE"
    event = AuditEvent.objects.get(action="workflows.incident.skip")
    assert event.actor_id == people.admin.pk and event.after["reason"] == "Letter sent on paper."


def test_only_administrators_resolve_incidents(client, people, pdf_renderer_down):
    application = _approve(reviewed(people.citizen, people), people.supervisor)
    failed = _letter_task(application)
    for user in (people.citizen, people.clerk, people.supervisor, people.auditor):
        client.force_login(user)
        assert client.post(reverse("workflows:incident_retry", args=[failed.pk])).status_code == 403
        assert client.post(reverse("workflows:incident_skip", args=[failed.pk]), {"reason": "x"}).status_code == 403
    client.force_login(people.auditor)
    page = client.get(reverse("workflows:incidents")).content.decode()
    assert application.reference in page and "Retry" not in page  # auditors read, never act
    client.force_login(people.clerk)
    assert client.get(reverse("workflows:incidents")).status_code == 403
    assert Task.objects.get(pk=failed.pk).status == "ERROR"
