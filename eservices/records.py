"""When a case's flow ends, its outcome sets how long the case's documents are
kept (documents.retention): a granted permit's file is kept longer than a
refused one's, as each document class and its retention rules say."""

from viewflow.workflow.signals import flow_finished

from documents.retention import case_retention_set

from .models import Application


def case_ended(application):
    case_retention_set(case=application, outcome=application.status, ended_at=application.decided_at)


def case_finished(sender, process, **kwargs):
    """A decided case's flow ends after its letter is issued, so the letter is
    covered too. A case closed by a timer gets its outcome only after its flow
    has ended: ``application_close_unanswered`` calls ``case_ended`` itself."""
    application = Application.objects.filter(process_id=process.pk).first()
    if application is not None and application.status in Application.FINAL_STATUSES:
        case_ended(application)


def connect():
    flow_finished.connect(case_finished, dispatch_uid="munis-case-retention")
