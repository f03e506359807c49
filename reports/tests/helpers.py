"""Moving a report through its flow in tests, as its people would."""

import datetime

from viewflow.workflow.models import Task

from core.models import AuditEvent, OutboxMessage
from reports import services
from reports.models import Report
from workflows.flows import OPEN_STATUSES
from workflows.timers import run_due_timers

RESIDENT = object()


def file_report(city, *, point=None, category=None, reporter=RESIDENT, channel=Report.Channel.WEB, **extra):
    latitude, longitude = point or (38.58, 68.78)
    return services.report_submit(channel=channel, description=extra.pop("description", "A deep pothole"),
                                  category=category or city.pothole, latitude=latitude, longitude=longitude,
                                  reporter=city.resident if reporter is RESIDENT else reporter, **extra)


def open_task(report, step):
    return Task.objects.filter(process_id=report.process_id, status__in=OPEN_STATUSES).filter(
        flow_task=getattr(report.process.flow_class.instance, step)).get()


def work(report, step, actor, **data):
    """Claim the open ``step`` and complete it through its form's handler, as its task page would."""
    form_class, _handler = report.process.flow_class.instance.task_forms[step]
    form = form_class(data)
    assert form.is_valid(), form.errors
    return services.report_step(report=report, step=step, actor=actor, data=form.cleaned_data)


def open_steps(report):
    return sorted(t.flow_task.name for t in Task.objects.filter(process_id=report.process_id, status__in=OPEN_STATUSES))


def actions(report):
    return [event.action for event in AuditEvent.objects.for_trail(f"reports.report:{report.pk}")]


def mails_to(address):
    return list(OutboxMessage.objects.filter(address=address).order_by("pk"))


def later(days):
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=days)


def run_timers(days):
    return run_due_timers(now=later(days))
