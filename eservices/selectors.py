"""Permission-scoped reads for the catalog and applications."""

from django.db.models import Exists, OuterRef, Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from accounts import permissions
from core.audit import action_label, trail_key_for
from core.cache import CachedConfiguration
from core.models import AuditEvent
from workflows.flows import organisation_content_type

from .models import Application, ServiceType


def published_service_types():
    return ServiceType.objects.filter(is_published=True).select_related("department").order_by("name")


#: published catalog entries, read on every application (README: catalog cache)
catalog_cache = CachedConfiguration("eservices:service-type", timeout=30)


def service_type_by_code(*, code, published_only=True):
    """A catalog entry with its required documents and routing, or None. Published
    entries are read on every application, so they are cached briefly."""
    if not published_only:
        return ServiceType.objects.prefetch_related("required_documents").filter(code=code).first()
    service_type = catalog_cache.get(code)
    if service_type is None:
        service_type = published_service_types().prefetch_related("required_documents").filter(code=code).first()
        if service_type is None:
            return None
        service_type.route_department_ids()
        catalog_cache.set(code, service_type)
    return service_type


def applications_visible_to(*, user):
    """Citizens: their own. Clerks: cases of their department or with a task
    routed to it (not other people's drafts). Auditors and admins: all."""
    qs = Application.objects.select_related("service_type", "applicant")
    if not user.is_authenticated:
        return qs.none()
    if permissions.can_read_all_cases(user):
        return qs
    visible = Q(applicant=user)
    departments = permissions.work_department_ids(user)
    if departments:
        routed = Task.objects.filter(
            process_id=OuterRef("process_id"),
            owner_permission_content_type=organisation_content_type(),
            owner_permission_obj_pk__in=[str(d) for d in departments],
        )
        visible |= (Q(service_type__department__in=departments) | Q(Exists(routed))) & ~Q(status=Application.Status.DRAFT)
    return qs.filter(visible)


def applications_of(*, user):
    return Application.objects.filter(applicant=user).select_related("service_type")


def application_visible_to(*, user, pk):
    return applications_visible_to(user=user).filter(pk=pk).first()


def open_correction_task(*, application):
    if not application.process_id:
        return None
    return Task.objects.filter(
        process_id=application.process_id, flow_task_type="HUMAN", owner=application.applicant,
        status__in=[STATUS.ASSIGNED, STATUS.STARTED],
    ).first()


def correction_request(*, application):
    """The clerk's note explaining what to correct, if a correction is open."""
    task = open_correction_task(application=application)
    if task is None:
        return None
    asked = (
        Task.objects.filter(process_id=application.process_id, flow_task_type="HUMAN", status=STATUS.DONE)
        .exclude(owner=application.applicant)
        .order_by("-finished", "-id")
        .first()
    )
    return (asked.data or {}).get("comment", "") if asked else ""


def timeline_for(*, application, viewer):
    """Every recorded step of the case, oldest first. The applicant sees staff
    actions as the municipality's, not by name."""
    events = AuditEvent.objects.for_trail(trail_key_for(application))
    staff_view = viewer.pk != application.applicant_id
    rows = []
    for event in events:
        by = event.actor_label if (staff_view or event.actor_id == application.applicant_id) else None
        rows.append({"when": event.created, "what": action_label(event.action), "by": by, "action": event.action})
    return rows
