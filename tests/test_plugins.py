"""An app plugs into the site from its own folder (core.plugins): the test app
tests/flowapp, installed only by tests/settings.py, adds a staff link, a home
section, a page at its own prefix and demo data, and no project file names it."""

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, User
from core import plugins
from core.models import AuditEvent
from eservices.models import Application, ServiceVersion
from permits.flows import BuildingPermitFlow
from workflows.models import Holiday
from workflows.sla import calendar_for

from .factories import UserFactory

#: the problem reports' portal links, for everyone (reports/navigation.py)
REPORTS = ["Report a problem", "Problems in the city"]


def header_links(client, url="/"):
    """The service navigation's links in the header, in order (the current page's is in <strong>)."""
    header = re.search(r"<header.*?</header>", client.get(url).content.decode(), re.S).group(0)
    links = re.findall(r'<a class="govuk-service-navigation__link" href="[^"]*"[^>]*>(?:<strong[^>]*>)?([^<]*)', header)
    return [text.strip() for text in links]


def test_each_person_sees_the_links_their_roles_allow_in_a_stable_order(client, people):
    expected = {
        None: ["Services", *REPORTS, "Log in", "Sign up"],
        people.citizen: ["Services", "My applications", *REPORTS],
        # staff menus show the work staff do, not an applicant's "My applications"
        people.clerk: ["Services", *REPORTS, "Inbox"],
        people.supervisor: ["Services", *REPORTS, "Inbox", "Analytics", "Trade licences"],
        people.auditor: ["Services", *REPORTS, "Audit", "Incidents", "Analytics"],
        people.admin: ["Services", *REPORTS, "Audit", "Incidents", "Analytics"],
        # ministry and supplier staff work the tasks routed to their organisation (accounts.models.WORKING_ROLES)
        people.ministry: ["Services", *REPORTS, "Inbox"],
        people.supplier: ["Services", *REPORTS, "Inbox"],
    }
    for user, links in expected.items():
        client.logout()
        if user:
            client.force_login(user)
        assert header_links(client) == links, user and user.full_name


def test_a_new_apps_staff_link_shows_only_to_the_people_it_names(client, people):
    link = f'href="{reverse("flowapp:licences")}"'
    assert link not in client.get("/").content.decode()
    for user, shown in ((people.supervisor, True), (people.clerk, False), (people.citizen, False),
                        (people.auditor, False), (people.admin, False)):
        client.force_login(user)
        assert (link in client.get(reverse("eservices:catalog")).content.decode()) is shown, user.full_name


def test_a_new_apps_home_section_shows_to_signed_in_people_with_its_own_context(client, permit_service):
    anonymous = client.get("/").content.decode()
    assert "Trade licences for" not in anonymous and "Building permit" in anonymous

    client.force_login(UserFactory(full_name="Aziza Citizen"))
    home = client.get("/").content.decode()
    assert "Trade licences for Aziza Citizen" in home
    # sections by their order: the catalog's (10) before the licences' (20)
    assert home.index("Building permit") < home.index("Trade licences for")


def test_a_new_apps_page_is_served_at_the_prefix_its_app_config_declares(client, people):
    assert reverse("flowapp:licences") == "/licences/"
    assert client.get("/licences/").status_code == 302  # to the login page, like any page for staff
    client.force_login(people.supervisor)
    response = client.get("/licences/")
    assert response.status_code == 200
    assert "<h1>Trade licences</h1>" in response.content.decode()


def test_the_apps_mount_their_urls_where_they_always_were():
    assert {name: reverse(name, args=args) for name, args in (
        ("home", ()), ("accounts:login", ()), ("workflows:inbox", ()), ("audit:search", ()),
        ("documents:verify_lookup", ()), ("documents:verify", ["V-CODE"]), ("eservices:catalog", ()),
        ("eservices:application", [7]), ("api-root", ()), ("api-service-list", ()), ("api-upload-list", ()),
        ("api-schema", ()), ("admin:index", ()),
    )} == {
        "home": "/", "accounts:login": "/accounts/login/", "workflows:inbox": "/staff/inbox/",
        "audit:search": "/audit/", "documents:verify_lookup": "/verify/", "documents:verify": "/verify/V-CODE/",
        "eservices:catalog": "/services/", "eservices:application": "/applications/7/", "api-root": "/api/v1/",
        "api-service-list": "/api/v1/services/", "api-upload-list": "/api/v1/uploads/",
        "api-schema": "/api/schema/", "admin:index": "/admin/",
    }


def test_the_project_files_name_no_app_that_plugs_in():
    base = Path(settings.BASE_DIR)
    for name in ("config/urls.py", "core/views.py", "templates/base.html", "templates/home.html"):
        text = (base / name).read_text()
        for app in ("eservices", "workflows", "documents", "flowapp"):
            assert not re.search(rf"\b{app}[.:]", text), f"{name} names {app}'s modules or URLs"


def test_the_navigation_costs_no_query_for_anonymous_visitors_and_one_for_people(
    people, django_assert_num_queries,
):
    with django_assert_num_queries(0):
        nav = plugins.Navigation(AnonymousUser())
        assert [link.url_name for link in nav["portal"]] == ["eservices:catalog", "reports:new", "reports:list"]
        assert nav["staff"] == []
    supervisor = User.objects.get(pk=people.supervisor.pk)
    with django_assert_num_queries(1):  # the memberships accounts.permissions caches on the user
        nav = plugins.Navigation(supervisor)
        assert [str(link.label) for link in nav["staff"]] == ["Inbox", "Analytics", "Trade licences"]
        # staff: no "My applications"
        assert [str(link.label) for link in nav["portal"]] == ["Services", *REPORTS]


def test_a_link_to_a_missing_url_or_area_fails_the_system_check(monkeypatch):
    assert plugins.check_links(None) == []
    monkeypatch.setattr(plugins, "links", lambda: [
        plugins.Link("kiosk", "Kiosk", "flowapp:licences"),
        plugins.Link(plugins.STAFF, "Petitions", "petitions:list"),
    ])
    assert [problem.id for problem in plugins.check_links(None)] == ["core.E001", "core.E002"]


def _rows():
    return {model.__name__: model.objects.count()
            for model in (Organisation, User, Membership, Application, ServiceVersion, AuditEvent, Holiday)}


def test_seed_demo_runs_every_apps_demo_once_accounts_first(transactional_db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert out.index("People and organisations") < out.index("Building permits") < out.index("Trade licences")
    assert "Demo data ready: accounts, workflows, permits, reports, flowapp." in out
    first = _rows()
    call_command("seed_demo")
    assert _rows() == first
    assert first["Application"] == 9
    every_state = set(Application.Status.values) | set(BuildingPermitFlow.status_labels)
    assert set(Application.objects.values_list("status", flat=True)) == every_state
    # the test app's demo: its office under accounts' city hall, its clerk able to sign in
    office = Organisation.objects.get(code="dept-licensing")
    assert office.parent.code == "city-hall"
    clerk = User.objects.get(email="licensing@munis.local", memberships__organisation=office)
    assert clerk.check_password("munis-demo-2026")
    # the working calendars know the public holidays of this year and the next, in both organisation trees
    this_year = timezone.localdate().year
    for code in ("dept-architecture", "district-yunusabad"):
        calendar = calendar_for(Organisation.objects.get(code=code).pk)
        for year in (this_year, this_year + 1):
            assert not calendar.is_working_day(datetime.date(year, 1, 1)), (code, year)
            assert not calendar.is_working_day(datetime.date(year, 3, 21)), (code, year)
    call_command("verify_audit")
