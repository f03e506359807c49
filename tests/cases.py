"""Build building-permit cases in a given state by calling the services, as
the views would. Faster than HTTP; the HTTP path itself is covered by
test_permit_end_to_end."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from documents.models import DocumentVersion
from eservices import services
from eservices.models import ServiceType
from permits import services as permits
from workflows.models import TaskClock
from workflows.services import task_claim

from .factories import PERMIT_DATA, pdf_upload, permit_files

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def permit_service():
    return ServiceType.objects.get(code="building-permit")


def draft(applicant, **data):
    """A saved, unsubmitted draft with one document attached."""
    return services.application_save_draft(
        actor=applicant, service_type=permit_service(), data={"site_address": "7 Amir Temur Avenue", **data},
        files={"site_plan": pdf_upload("draft_site_plan.pdf")},
    )


def submitted(applicant, **data):
    """Submitted with all mandatory documents: the completeness check is open."""
    return services.application_apply(
        actor=applicant, service_type=permit_service(), data={**PERMIT_DATA, **data}, files=permit_files(),
    )


def open_task(application, step):
    """The one open human task of ``step`` (NEW, ASSIGNED or STARTED)."""
    application.refresh_from_db()
    flow = application.process.flow_class.instance
    return Task.objects.get(process_id=application.process_id, flow_task_type="HUMAN", status__in=OPEN,
                            flow_task=getattr(flow, step))


def claimed(application, step, user):
    return task_claim(task=open_task(application, step), actor=user)


def check_completeness(application, clerk, *, complete=True, comment=""):
    task = claimed(application, "check_completeness", clerk)
    permits.permit_check_completeness(task=task, actor=clerk, data={"complete": complete, "comment": comment})
    application.refresh_from_db()
    return application


def in_review(applicant, clerk, **data):
    """Completeness passed: the three parallel reviews are waiting in their departments' queues."""
    return check_completeness(submitted(applicant, **data), clerk)


def in_correction(applicant, clerk):
    return check_completeness(submitted(applicant), clerk, complete=False, comment="The site plan is unreadable.")


def review_favourably(application, people):
    """The three departments review the case favourably: the decision waits for a supervisor."""
    for step, reviewer in (("review_architecture", people.clerk), ("review_fire_safety", people.fire),
                           ("review_environment", people.environment)):
        permits.permit_review(task=claimed(application, step, reviewer), actor=reviewer,
                               data={"favourable": True, "comment": ""})
    application.refresh_from_db()
    return application


def decide(application, people, *, approve, reasons=""):
    """The head decides the reviewed case: its letter is issued."""
    permits.permit_decide(task=claimed(application, "decision", people.supervisor), actor=people.supervisor,
                           data={"approve": approve, "reasons": reasons})
    application.refresh_from_db()
    return application


def reviewed(applicant, people, **data):
    """Reviewed favourably by all three departments: the decision waits for a supervisor."""
    return review_favourably(in_review(applicant, people.clerk, **data), people)


def approved(applicant, people, **data):
    """Approved by the head: the permit PDF exists."""
    return decided(applicant, people, approve=True, **data)


def refused(applicant, people):
    """Refused by the head, with reasons: the refusal letter exists."""
    return decided(applicant, people, approve=False, reasons="The building exceeds the height limit.")


def decided(applicant, people, *, approve, reasons="", **data):
    return decide(reviewed(applicant, people, **data), people, approve=approve, reasons=reasons)


# --- over HTTP, as each role would ------------------------------------------------

def apply_over_http(client, *, data=None, files=None, action="submit"):
    payload = {**PERMIT_DATA, **(data or {}), "action": action}
    for code, upload in (permit_files() if files is None else files).items():
        payload[f"doc_{code}"] = upload
    return client.post(reverse("eservices:apply", args=["building-permit"]), payload)


def claim_and_complete(client, task, **form):
    response = client.post(reverse("workflows:claim", args=[task.pk]))
    assert response.status_code == 302, response.content[:500]
    response = client.post(reverse("workflows:task", args=[task.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def set_deadline(application, due, *, step=None):
    """Move the deadline of a case's open tasks (all, or one step's), as time
    passing would; saved through the ORM, so the inbox's rows follow."""
    clocks = TaskClock.objects.filter(process_id=application.process_id, finished_at__isnull=True)
    if step:
        clocks = clocks.filter(task__flow_task__endswith=step)
    for clock in clocks:
        clock.due_at = due
        clock.save(update_fields=["due_at"])


def versions_of(application):
    """Every version of every document of the case, oldest first."""
    return DocumentVersion.objects.filter(
        document__case_type=ContentType.objects.get_for_model(application), document__case_id=str(application.pk),
    ).order_by("pk")
