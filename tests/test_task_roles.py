"""Who works a task, by the kind of organisation it is routed to (accounts.models.WORKING_ROLES):
a supplier's staff, ministry, district and mahalla staff work their own organisation's queue as a
department's clerks work theirs, and only the organisation's head takes a step for heads.

The flow is the engine's test work order (tests/flowapp): "Do the work" goes to the organisation
the case names, "Sign the work off" to its head."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from accounts import permissions
from accounts.models import Membership, Organisation, Role
from core.errors import PermissionDenied
from core.models import AuditEvent
from workflows.services import task_claim

from .factories import member
from .flowapp.flows import WorkOrderFlow


def _org(code, kind, parent=None):
    return Organisation.objects.create(code=code, name=code.replace("-", " ").title(), kind=kind, parent=parent)


@pytest.fixture
def orgs(people):
    """Two organisations of every kind that works tasks (the first one's staff in ``people``)."""
    ministry = Organisation.objects.get(code="ministry")
    region = _org("tashkent-region", Organisation.Kind.REGION, ministry)
    district = _org("yunusobod", Organisation.Kind.DISTRICT, region)
    other_district = _org("chilonzor", Organisation.Kind.DISTRICT, region)
    return SimpleNamespace(
        supplier=(Organisation.objects.get(code="water"), _org("power", Organisation.Kind.SUPPLIER)),
        mahalla=(_org("navruz", Organisation.Kind.MAHALLA, district), _org("bogishamol", Organisation.Kind.MAHALLA, district)),
        district=(district, other_district),
        ministry=(ministry, _org("other-ministry", Organisation.Kind.MINISTRY)),
    )


#: the role that works the queue of each kind (its head is the supervisor)
WORKER = {"supplier": Role.SUPPLIER, "mahalla": Role.MAHALLA, "district": Role.DISTRICT, "ministry": Role.MINISTRY}


def _staff(orgs, kind):
    """A worker and the head of the first organisation of ``kind``, and a worker of the second."""
    ours, theirs = getattr(orgs, kind)
    return SimpleNamespace(
        organisation=ours,
        worker=member(ours, WORKER[kind], full_name=f"{kind.title()} Worker"),
        head=member(ours, Role.SUPERVISOR, full_name=f"{kind.title()} Head"),
        outsider=member(theirs, WORKER[kind], full_name=f"Other {kind.title()} Worker"),
    )


def _order(organisation):
    return WorkOrderFlow.start.run(organisation=organisation)


def _open(process, step):
    return Task.objects.get(process=process, flow_task=getattr(WorkOrderFlow.instance, step),
                            status__in=(STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED))


def _inbox(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("workflows:inbox"), params)
    assert response.status_code == 200
    return response.content.decode()


def _claim(client, user, task):
    client.force_login(user)
    return client.post(reverse("workflows:claim", args=[task.pk]))


def _complete(client, user, task, note):
    client.force_login(user)
    return client.post(reverse("workflows:task", args=[task.pk]), {"note": note})


def test_a_suppliers_staff_claims_and_completes_a_task_routed_to_their_organisation(client, people, orgs):
    water_head = member(orgs.supplier[0], Role.SUPERVISOR, full_name="Water Head")
    process = _order(orgs.supplier[0])
    task = _open(process, "do_work")

    assert "Do the work" in _inbox(client, people.supplier)
    assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 200
    response = _claim(client, people.supplier, task)
    assert response.status_code == 302
    assert "Do the work" in _inbox(client, people.supplier, tab="mine")
    response = _complete(client, people.supplier, task, "Main valve replaced.")
    assert response.status_code == 302 and response["Location"] == reverse("workflows:inbox")

    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == people.supplier
    claim, complete = AuditEvent.objects.filter(object_id=str(task.pk)).order_by("id")
    assert (claim.action, claim.actor, claim.after["owner"]) == ("workflows.task.claim", people.supplier,
                                                                  people.supplier.pk)
    assert (complete.action, complete.actor, complete.after["comment"]) == ("workflows.task.complete",
                                                                          people.supplier, "Main valve replaced.")
    # The sign-off waits for the water company's head, not for its staff.
    assert _open(process, "sign_off").owner_id is None
    assert "Sign the work off" not in _inbox(client, people.supplier)
    assert "Sign the work off" in _inbox(client, water_head)


@pytest.mark.parametrize("kind", ["supplier", "mahalla", "district", "ministry"])
def test_staff_of_each_kind_work_their_organisations_tasks_and_no_one_elses(client, people, orgs, kind):
    staff = _staff(orgs, kind)
    task = _open(_order(staff.organisation), "do_work")

    # Staff of another organisation of the same kind, or of a department, neither see nor take it.
    for outsider in (staff.outsider, people.clerk, people.supervisor):
        assert "Do the work" not in _inbox(client, outsider)
        assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 404
        assert _claim(client, outsider, task).status_code == 404
        with pytest.raises(PermissionDenied):
            task_claim(task=task, actor=outsider)
    # Nor do people who work no queue at all.
    for bystander in (people.citizen, people.auditor):
        client.force_login(bystander)
        assert client.get(reverse("workflows:task", args=[task.pk])).status_code == 403
        assert _claim(client, bystander, task).status_code == 403

    assert "Do the work" in _inbox(client, staff.worker)
    assert _claim(client, staff.worker, task).status_code == 302
    assert _complete(client, staff.worker, task, "Done.").status_code == 302
    task.refresh_from_db()
    assert task.status == STATUS.DONE and task.owner == staff.worker
    assert not AuditEvent.objects.filter(object_id=str(task.pk), actor__in=[staff.outsider, people.clerk]).exists()


@pytest.mark.parametrize("kind", ["supplier", "mahalla"])
def test_a_step_for_heads_is_taken_by_the_organisations_head_only(client, people, orgs, kind):
    staff = _staff(orgs, kind)
    process = _order(staff.organisation)
    task_claim(task=_open(process, "do_work"), actor=staff.worker)
    _complete(client, staff.worker, _open(process, "do_work"), "Done.")
    sign_off = _open(process, "sign_off")

    # The organisation's worker sees it on their desk's page but may not take it; it is not in their queue.
    assert "Sign the work off" not in _inbox(client, staff.worker)
    response = _claim(client, staff.worker, sign_off)
    assert response.status_code == 403
    assert "Only the head of the department can take this step." in response.content.decode()
    # Another organisation's head, and a department's head, don't even see it.
    other_head = member(getattr(orgs, kind)[1], Role.SUPERVISOR)
    for outsider in (other_head, people.supervisor):
        assert _claim(client, outsider, sign_off).status_code == 404

    assert "Sign the work off" in _inbox(client, staff.head)
    assert _claim(client, staff.head, sign_off).status_code == 302
    assert _complete(client, staff.head, sign_off, "Checked on site.").status_code == 302
    process.refresh_from_db()
    assert process.status == PROCESS.DONE
    assert AuditEvent.objects.get(action="workflows.task.claim", object_id=str(sign_off.pk)).actor == staff.head


def test_reminders_and_escalations_reach_the_organisations_workers_and_heads(people, orgs):
    staff = _staff(orgs, "mahalla")
    assert list(permissions.organisation_members(staff.organisation.pk)) == sorted(
        [staff.worker, staff.head], key=lambda user: user.pk)
    assert list(permissions.organisation_members(staff.organisation.pk, heads=True)) == [staff.head]
    assert permissions.headed_organisation_ids(staff.head) == {staff.organisation.pk}
    assert permissions.work_organisation_ids(staff.worker) == {staff.organisation.pk}
    assert permissions.headed_organisation_ids(staff.worker) == set()


def test_a_task_routed_to_an_organisation_whose_kind_works_no_tasks_is_refused(people):
    city = Organisation.objects.get(code="city-hall")
    with pytest.raises(ImproperlyConfigured, match="city-hall"):
        _order(city)


def test_a_role_is_refused_where_the_organisation_kind_gives_it_no_work(people, orgs):
    water = orgs.supplier[0]
    wrong = Membership(user=people.other_citizen, organisation=water, role=Role.CLERK)
    with pytest.raises(ValidationError) as refused:
        wrong.full_clean()
    assert refused.value.message_dict["role"] == [
        "A Clerk does not work in a Supplier. Roles that do: Supervisor, Supplier."]
    Membership(user=people.other_citizen, organisation=water, role=Role.SUPPLIER).full_clean()
    Membership(user=people.other_citizen, organisation=orgs.district[0], role=Role.DISTRICT).full_clean()
    Membership(user=people.other_citizen, organisation=water, role=Role.AUDITOR).full_clean()  # works no queue
