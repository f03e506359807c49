"""Process diagram pages: staff see every flow as a BPMN diagram with the open
tasks per step; with ``?process=`` one case's open steps are highlighted, for
those who may see that case. Drawn in a real browser by bpmn-js served from
our own static files, under our Content-Security-Policy.

(Who gets which status on these URLs, role by role: the access declared in workflows/urls.py, checked
by test_route_matrix; per case state, test_permissions.)
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from playwright.sync_api import expect

from config.npm_static import NpmFinder
from workflows import bpmn, diagrams, registry

from . import cases
from .test_browser import _sync_db_from_playwright_thread, browser, logged_in_page  # noqa: F401  (shared fixtures)

PERMIT = "permits.BuildingPermitFlow"
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var"


def flow_url(process=None):
    url = reverse("workflows:flow", args=[PERMIT])
    return f"{url}?process={process.pk}" if process is not None else url


def state_of(response):
    return response.context["state"]


def test_list_shows_every_flow_with_its_open_tasks(client, people):
    cases.in_review(people.citizen, people.clerk)  # three reviews open
    cases.submitted(people.other_citizen)  # one completeness check open
    client.force_login(people.clerk)
    response = client.get(reverse("workflows:flows"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Building permit" in page and PERMIT in page
    flows = response.context["flows"]
    # every registered flow, by label (the test apps' too: tests/faultapp, tests/flowapp)
    assert [row["label"] for row in flows] == list(registry.all_flows())
    rows = {row["label"]: row for row in flows}
    assert rows[PERMIT] == {"label": PERMIT, "title": "Building permit", "open": 4, "version": 1, "current": True}
    # LicenceFlow version 1 is kept for the cases still running on it
    assert rows["flowapp.LicenceFlow"] == {"label": "flowapp.LicenceFlow", "title": "Trade licence", "open": 0,
                                           "version": 1, "current": False}
    assert rows["flowapp.LicenceFlowV2"] == {"label": "flowapp.LicenceFlowV2", "title": "Trade licence", "open": 0,
                                             "version": 2, "current": True}
    assert "(running cases only)" in page
    assert reverse("workflows:flow", args=[PERMIT]) in page


def test_open_tasks_are_counted_per_step_across_cases(client, people):
    cases.in_review(people.citizen, people.clerk)
    cases.in_review(people.other_citizen, people.clerk)
    cases.submitted(people.citizen)
    assert diagrams.open_tasks_by_node(flow_class=registry.get_flow(PERMIT)) == {
        "check_completeness": 1, "review_architecture": 2, "review_fire_safety": 2, "review_environment": 2,
    }
    client.force_login(people.fire)
    response = client.get(flow_url())
    assert response.status_code == 200
    counts = {entry["id"]: entry["count"] for entry in state_of(response)["counts"]}
    assert counts == {"Activity_check_completeness": 1, "Activity_review_architecture": 2,
                      "Activity_review_fire_safety": 2, "Activity_review_environment": 2}
    assert state_of(response)["current"] == [] and state_of(response)["done"] == []
    labels = {entry["id"]: entry["label"] for entry in state_of(response)["counts"]}
    assert labels["Activity_check_completeness"] == "1 open task"
    assert labels["Activity_review_fire_safety"] == "2 open tasks"
    # The same numbers in the table that works without JavaScript.
    steps = {step["id"]: step["open"] for step in response.context["steps"]}
    assert steps["Activity_review_environment"] == 2 and steps["Activity_decision"] == 0


def test_a_case_in_review_highlights_its_open_steps_and_shades_the_path_behind(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    client.force_login(people.clerk)
    response = client.get(flow_url(application.process))
    assert response.status_code == 200
    state = state_of(response)
    assert state["current"] == ["Activity_review_architecture", "Activity_review_fire_safety",
                                "Activity_review_environment"]
    assert {"Event_start", "Activity_check_completeness", "Gateway_is_complete", "Gateway_reviews"} <= set(state["done"])
    assert not set(state["current"]) & set(state["done"])
    assert state["xmlUrl"] == reverse("workflows:flow_bpmn", args=[PERMIT])
    page = response.content.decode()
    assert application.reference in page
    assert 'id="flow-diagram-state" type="application/json"' in page
    assert "<script>" not in page  # only src= scripts: the CSP forbids inline code


def test_the_diagram_xml_is_the_export(client, people):
    client.force_login(people.auditor)
    response = client.get(reverse("workflows:flow_bpmn", args=[PERMIT]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content == bpmn.to_xml(registry.get_flow(PERMIT), PERMIT)


def test_a_case_is_shown_only_to_those_who_may_see_it(client, people):
    checking = cases.submitted(people.citizen)  # only the architecture department has a task
    for user, status in ((people.clerk, 200), (people.supervisor, 200), (people.auditor, 200), (people.admin, 200),
                         (people.fire, 404), (people.environment, 404)):
        client.force_login(user)
        assert client.get(flow_url(checking.process)).status_code == status, user.full_name
    client.force_login(people.clerk)
    for bad in ("abc", "", "999999", "-1"):
        assert client.get(flow_url() + f"?process={bad}").status_code == 404, bad
    assert client.get(reverse("workflows:flow", args=["eservices.NoSuchFlow"])).status_code == 404
    assert client.get(reverse("workflows:flow_bpmn", args=["eservices.NoSuchFlow"])).status_code == 404


def test_citizens_get_no_diagram_and_anonymous_visitors_log_in_first(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    client.force_login(people.citizen)
    for url in (reverse("workflows:flows"), flow_url(), flow_url(application.process),
                reverse("workflows:flow_bpmn", args=[PERMIT])):
        assert client.get(url).status_code == 403, url
    client.logout()
    response = client.get(flow_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_task_page_and_inbox_link_to_the_diagram(client, people):
    application = cases.in_review(people.citizen, people.clerk)
    task = cases.open_task(application, "review_architecture")
    client.force_login(people.clerk)
    page = client.get(reverse("workflows:task", args=[task.pk])).content.decode()
    assert f'href="{flow_url(application.process)}"' in page
    assert f'href="{reverse("workflows:flows")}"' in client.get(reverse("workflows:inbox")).content.decode()


def test_empty_flow_shows_zero_everywhere(client, people):
    client.force_login(people.supervisor)
    response = client.get(flow_url())
    assert response.status_code == 200
    assert state_of(response)["counts"] == []
    assert all(step["open"] == 0 for step in response.context["steps"])


def test_bpmn_js_is_one_of_our_static_files():
    """Served from node_modules (npm ci) by config.npm_static, collected in production;
    the rest of the package (the modeler, sources) is not."""
    for path in ("vendor/bpmn-js/bpmn-navigated-viewer.production.min.js", "vendor/bpmn-js/assets/diagram-js.css",
                 "vendor/bpmn-js/assets/bpmn-js.css", "js/flow-diagram.js", "css/flow-diagram.css"):
        assert finders.find(path), path
    assert finders.find("vendor/bpmn-js/bpmn-modeler.production.min.js") is None
    assert finders.find("vendor/bpmn-js/assets/bpmn-js.css", find_all=True) != []
    finder = NpmFinder()
    assert finder.check() == []
    assert sorted(f"{storage.prefix}/{path}" for path, storage in finder.list(None)) == [
        "vendor/bpmn-js/assets/bpmn-js.css", "vendor/bpmn-js/assets/diagram-js.css",
        "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js",
        "vendor/chart.js/chart.umd.min.js", "vendor/chart.js/chart.umd.min.js.map",
        "vendor/govuk-frontend/all.bundle.js", "vendor/govuk-frontend/all.bundle.js.map",
        "vendor/leaflet/images/layers-2x.png", "vendor/leaflet/images/layers.png",
        "vendor/leaflet/images/marker-icon-2x.png", "vendor/leaflet/images/marker-icon.png",
        "vendor/leaflet/images/marker-shadow.png", "vendor/leaflet/leaflet.css", "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.js.map",
    ]


def test_missing_npm_files_are_reported_by_the_system_check(settings):
    settings.NPM_STATIC_FILES = {"vendor/x": ("no-such-package/dist", ["x.js"])}
    [warning] = NpmFinder().check()
    assert warning.id == "munis.W001" and "npm ci" in warning.hint
    assert list(NpmFinder().list(None)) == []


# --- in a real browser ------------------------------------------------------------------------------

@pytest.mark.browser
def test_clerk_sees_the_case_highlighted_in_the_drawn_diagram(live_server, browser, people):  # noqa: F811
    application = cases.in_review(people.citizen, people.clerk)
    page = logged_in_page(browser, live_server, people.clerk)
    page.wait_for_load_state("networkidle")
    page.context.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " (e) => window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    problems = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))

    page.goto(reverse("workflows:inbox"))
    page.get_by_role("link", name="Process diagrams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Process diagrams")
    # Let the list page finish loading (its logo and stylesheet) before leaving it, so that no request is cut
    # short by the next navigation and counted as a failure.
    page.wait_for_load_state("load")
    page.goto(flow_url(application.process))

    diagram = page.locator("#flow-diagram")
    expect(diagram).to_have_attribute("data-state", "ready")
    expect(diagram.locator("svg")).not_to_have_count(0)
    expect(diagram.locator('.djs-element[data-element-id="Activity_check_completeness"]')).to_have_count(1)
    for step in ("review_architecture", "review_fire_safety", "review_environment"):
        element = diagram.locator(f'.djs-element[data-element-id="Activity_{step}"]')
        expect(element).to_have_class(re.compile(r"\bmunis-current\b"))
    expect(diagram.locator('.djs-element[data-element-id="Activity_check_completeness"]')).to_have_class(
        re.compile(r"\bmunis-done\b"))
    expect(diagram.locator('.djs-element[data-element-id="Activity_decision"]')).not_to_have_class(
        re.compile(r"munis-"))
    badges = diagram.locator(".djs-overlays .munis-count")
    expect(badges).to_have_count(3)
    expect(badges.first).to_have_text("1")
    # The names are drawn as text in the SVG.
    expect(diagram.locator("svg text", has_text="Architecture review")).to_have_count(1)
    # Everything came from our server: no third-party request, no CSP report.
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in _requested_urls(page)), \
        _requested_urls(page)
    assert page.evaluate("window.cspViolations") == []
    assert problems == []
    if SCREENSHOT_DIR.is_dir():
        page.screenshot(path=str(SCREENSHOT_DIR / "test_diagram_case.png"), full_page=True)
    # The watch above does see a violation when there is one.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.cspViolations.length > 0")


def _requested_urls(page):
    return page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
