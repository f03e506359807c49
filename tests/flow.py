"""Helpers that drive the building-permit flow over HTTP, as each role would."""

from django.urls import reverse
from viewflow.workflow.models import Task

from .factories import PERMIT_DATA, permit_files


def open_task(application, step, status="NEW"):
    application.refresh_from_db()
    return Task.objects.get(process_id=application.process_id, flow_task_type="HUMAN", status=status,
                            flow_task=getattr(application.process.flow_class.instance, step))


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
