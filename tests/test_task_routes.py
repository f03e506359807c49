"""A routing rule names a step people work in its service's flow: a misspelt step is refused where it is written
(the admin's inline, through ``TaskRoute.clean``), and ``manage.py check --database default`` names any stored
one, since such a rule would route nothing and leave every case with the owning department."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation
from eservices.checks import check_task_routes
from eservices.models import ServiceType, ServiceVersion, TaskRoute

from .factories import UserFactory


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _department(code):
    return Organisation.objects.get(code=code)


def test_a_misspelt_step_is_refused_with_the_steps_the_flow_has(permit_service):
    route = TaskRoute(service_type=permit_service, task="review_fire_safty", department=_department("dept-fire-safety"))

    with pytest.raises(ValidationError) as refused:
        route.full_clean()

    assert refused.value.message_dict == {"task": [
        "The flows of building-permit have no step “review_fire_safty” that people work. Their steps: "
        "check_completeness, correction, decision, review_architecture, review_environment, review_fire_safety."]}


def test_the_admin_shows_the_refusal_beside_the_rule(client, permit_service):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    routes = list(permit_service.task_routes.order_by("pk"))
    version = permit_service.versions.get()
    data = {"code": permit_service.code, "reference_series": permit_service.reference_series,
            "department": permit_service.department_id,
            "versions-TOTAL_FORMS": 1, "versions-INITIAL_FORMS": 1, "versions-0-id": version.pk,
            "versions-0-service_type": permit_service.pk,
            "task_routes-TOTAL_FORMS": len(routes) + 1, "task_routes-INITIAL_FORMS": len(routes)}
    for n, route in enumerate([*routes, TaskRoute(task="decison", department=permit_service.department)]):
        data |= {f"task_routes-{n}-id": route.pk or "", f"task_routes-{n}-service_type": permit_service.pk,
                 f"task_routes-{n}-task": route.task, f"task_routes-{n}-department": route.department_id}

    response = client.post(reverse("admin:eservices_servicetype_change", args=[permit_service.pk]), data)

    assert response.status_code == 200  # the form again, with the error
    assert "have no step “decison” that people work" in response.content.decode()
    assert permit_service.task_routes.count() == len(routes)


def test_a_step_the_flow_runs_itself_is_refused_too(permit_service):
    """``issue_letter`` is a step of the flow, but no one works it: nothing to route."""
    route = TaskRoute(service_type=permit_service, task="issue_letter", department=_department("dept-architecture"))
    with pytest.raises(ValidationError, match="no step “issue_letter”"):
        route.full_clean()


def test_a_step_of_any_version_of_the_services_flow_is_accepted(db):
    """A service's cases may run on every version of its flow: a step only the newer version has is routable."""
    department = Organisation.objects.create(code="dept-trade", name="Trade", kind=Organisation.Kind.DEPARTMENT)
    service = ServiceType.objects.create(code="trade-licence", reference_series="TL", department=department)
    TaskRoute(service_type=service, task="anything", department=department).full_clean()  # no version: unchecked yet
    ServiceVersion.objects.create(service_type=service, number=1, name="Trade licence", flow="flowapp.LicenceFlow")

    TaskRoute(service_type=service, task="inspect", department=department).full_clean()  # LicenceFlowV2's
    with pytest.raises(ValidationError, match="Their steps: decide, inspect, register."):
        TaskRoute(service_type=service, task="do_work", department=department).full_clean()  # another flow's


def test_the_database_check_names_a_stored_misspelt_step_and_is_silent_for_the_catalogs(permit_service, capsys):
    assert permit_service.task_routes.exists()
    assert check_task_routes(databases=["default"]) == []
    call_command("check", "--database", "default")
    assert "no issues" in capsys.readouterr().out
    assert check_task_routes() == []  # without --database: no query

    bad = TaskRoute.objects.create(service_type=permit_service, task="review_enviroment",
                                   department=_department("dept-environment"))  # create() does not clean

    (error,) = check_task_routes(databases=["default"])
    assert (error.id, error.obj) == ("eservices.E001", TaskRoute)
    assert error.msg == (f"The routing rule #{bad.pk} of the service building-permit names the step "
                         "'review_enviroment', which no flow of the service has people work (its cases would all go "
                         "to the owning department).")
    assert error.hint.startswith("Known steps: check_completeness, correction, decision, review_architecture,")
    with pytest.raises(SystemCheckError, match="eservices.E001"):
        call_command("check", "--database", "default")
    call_command("check")  # without --database the stored rows are not read
