"""Permission-scoped reads for the catalog and applications."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.cache import CachedConfiguration
from core.errors import NotFound
from documents.selectors import documents_of_case, issued_document_of_case
from workflows.cases import (
    case_timeline,
    open_task_held_by,
    reads_full_trail,
    requests_to_person,
    routed_to,
    undecided_and_running,
)
from workflows.sla import DAY, calendar_for

from .models import DECISION_LETTER_PLACE, Application, ServiceVersion


def versions_in_force(*, at=None):
    """The catalog: each service's published version whose validity window
    contains ``at`` (now). A service without one is not offered."""
    at = at or timezone.now()
    return (
        ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED, valid_from__lte=at)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))
        .select_related("service_type__department")
        .order_by("name", "service_type__code")
    )


#: versions in force, read on every application (README: catalog cache)
catalog_cache = CachedConfiguration("eservices:service-version", timeout=30)


def version_in_force(*, code):
    """The version new cases of service ``code`` get, with its required
    documents and the service's routing, or None. Read on every application,
    so cached briefly; a cached version whose window has closed meanwhile is
    looked up again."""
    now = timezone.now()
    version = catalog_cache.get(code)
    if version is None or not version.in_force(now):
        version = versions_in_force(at=now).prefetch_related("required_documents__document_class").filter(
            service_type__code=code).first()
        if version is None:
            return None
        version.service_type.route_department_ids()
        catalog_cache.set(code, version)
    return version


def version_for_new_case(*, code):
    """The version a case of service ``code`` started (or a draft saved) now is
    filed under; a clear 404 when the service is unknown or not in force."""
    version = version_in_force(code=code)
    if version is None:
        raise NotFound(_("This service is not available at the moment."), code="service_not_available")
    return version


def decision_due_if_submitted_now(version, *, now=None):
    """When the legal deadline of a case of ``version`` submitted now would run out: ``deadline_days``
    working days in the calendar of the service's department (its holidays and those of the organisations
    above it), as its case clock will count them. A correction asked for on the way pauses that clock, so
    the decision can come later than this, never sooner for want of time."""
    start = now or timezone.now()
    return timezone.localtime(calendar_for(version.service_type.department_id).add(start, version.deadline_days * DAY))


def steps_after_applying(version):
    """What happens to a case of ``version`` once it is submitted, in words for its applicant (the flow's
    ``applicant_journey``)."""
    return [sentence for _status, sentence in version.flow_class.applicant_journey]


def service_names_by_code(*, flows):
    """{code: name} of the services with a version running one of ``flows``
    (flow labels), each named as in its newest version."""
    rows = (ServiceVersion.objects.filter(flow__in=flows).order_by("service_type__code", "number")
            .values_list("service_type__code", "name"))
    return dict(rows)


def applications_visible_to(*, user):
    """Citizens: their own. Clerks: cases of their department or with a task
    routed to it. Anyone: cases shared with them by name (accounts.sharing).
    Auditors and admins: every case. A draft is its applicant's private work
    until it is submitted: nobody else reads it, auditors included."""
    qs = Application.objects.select_related("service_type", "service_version", "applicant")
    if not user.is_authenticated:
        return qs.none()
    if permissions.can_read_all_cases(user):
        return qs.filter(Q(applicant=user) | ~Q(status=Application.Status.DRAFT))
    visible = Q(applicant=user) | (Q(pk__in=permissions.granted_ids(user, Application))
                                   & ~Q(status=Application.Status.DRAFT))
    departments = permissions.work_organisation_ids(user)
    if departments:
        visible |= (Q(service_type__department__in=departments) | routed_to(departments)) & ~Q(status=Application.Status.DRAFT)
    return qs.filter(visible)


def applications_of(*, user):
    return Application.objects.filter(applicant=user).select_related("service_type", "service_version")


def application_visible_to(*, user, pk):
    return applications_visible_to(user=user).filter(pk=pk).first()


def open_correction_task(*, application):
    """The correction the applicant holds, if one is open."""
    return open_task_held_by(application.process_id, application.applicant)


def correction_request(*, application):
    """The clerk's note explaining what to correct, if a correction is open."""
    if open_correction_task(application=application) is None:
        return None
    rounds = correction_conversation(application=application)
    return rounds[-1].request if rounds and rounds[-1].state == CorrectionRound.OPEN else ""


@dataclass
class CorrectionRound:
    """One round of the correction conversation: what the department asked, and how the applicant answered."""

    OPEN, ANSWERED, EXPIRED, ENDED = "open", "answered", "expired", "ended"

    number: int
    request: str
    asked_at: object
    #: the member of staff who asked (for staff pages) and the department they asked for
    asked_by: object
    asked_for: object
    #: open (waiting for the applicant), answered, expired (not answered in time) or ended (the case ended first:
    #: withdrawn or stopped)
    state: str
    answer: str = ""
    answered_at: object = None
    #: the documents the answer changed: (document, its new version), in the case's order of documents
    files: list = field(default_factory=list)


def correction_conversation(*, application):
    """Every correction round of the case, oldest first: the request (text, when, by whom), the applicant's
    answer (text, when) and the files that answer changed (each document's new version). Read from where the
    flow keeps them (workflows.cases.requests_to_person) and from the case's documents: the versions the
    applicant added while the round was open are the ones their answer sent."""
    requests = requests_to_person(application)
    if not requests:
        return []
    versions = None  # the case's document versions, read once a round has an answer
    rounds = []
    for number, asked in enumerate(requests, start=1):
        if asked.is_open:
            state = CorrectionRound.OPEN
        elif not asked.is_done:
            state = CorrectionRound.ENDED
        elif asked.data.get("expired") or (number == len(requests) and application.status == Application.Status.CLOSED):
            state = CorrectionRound.EXPIRED  # (older cases closed for it before their task said so)
        else:
            state = CorrectionRound.ANSWERED
        answered, files = state == CorrectionRound.ANSWERED, []
        if answered:
            if versions is None:
                versions = [(document, version) for document in documents_of_application(application)
                            for version in reversed(document.versions_newest_first)]
            files = [(document, version) for document, version in versions
                     if version.author_id == application.applicant_id
                     and asked.opened_at <= version.created_at <= asked.answered_at]
        rounds.append(CorrectionRound(
            number=number, request=asked.request, asked_at=asked.asked_at, asked_by=asked.asked_by,
            asked_for=asked.asked_for, state=state, answer=asked.answer if answered else "",
            answered_at=asked.answered_at if answered else None, files=files))
    return rounds


def can_be_withdrawn(application):
    """Submitted, not yet decided, and its process still running: its applicant may withdraw it."""
    if application.status == Application.Status.DRAFT or application.status in Application.FINAL_STATUSES:
        return False
    return undecided_and_running(application.process)


def next_steps_for(application):
    """What happens next to a case that is being worked on, in words for its applicant (the flow's
    ``applicant_journey``); nothing for a draft or a case that has ended."""
    if not application.process_id or application.status in Application.FINAL_STATUSES:
        return []
    return application.process.flow_class.instance.next_steps(application.status)


def timeline_for(*, application, viewer):
    """The case's history, oldest first: every recorded step for its staff, what happened to it for its
    applicant (workflows.cases.case_timeline). Its documents are named as on the page, in the reader's
    language (read only for the staff, whose trail names them)."""
    def document_labels():
        labels = {}
        for document in documents_of_application(application):
            labels[("documents.document", str(document.pk))] = document.display_name
            for version in document.versions_newest_first:
                labels[("documents.documentversion", str(version.pk))] = f"{document.display_name} v{version.number}"
        return labels
    return case_timeline(application, viewer=viewer, object_labels=document_labels)


def reads_whole_trail(*, application, viewer):
    """Whether ``viewer`` reads the case's whole trail on its page (its staff), or the applicant's timeline."""
    return reads_full_trail(viewer, application)


def decision_letter_of(application):
    """The case's issued decision letter (an IssuedDocument with its version), or None."""
    if application.pk is None:
        return None
    return issued_document_of_case(application, DECISION_LETTER_PLACE)


def documents_of_application(application):
    """The application's documents, each with ``display_name``: the name of the required document it answers in
    the reader's language (a document's stored title is in the language of whoever uploaded it), else its title
    (the decision letter's, in the applicant's language, as issued)."""
    if application is None or not application.pk:
        return []
    names = {doc.code: doc.name for doc in application.service_version.required_documents.all()}
    documents = list(documents_of_case(application))
    for document in documents:
        document.display_name = names.get(document.code) or document.title
    return documents
