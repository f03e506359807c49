"""Process analytics: a city hall's supervisors, auditors and administrators
see per flow and step how many tasks started and finished, how long they took
(median, 90th percentile), how often they met their deadline, what is open and
overdue now and where work piles up — by month and by department, on the page
(tables and Chart.js charts) and as CSV.

The history below is built through the real services at known times
(``time_machine``), so every figure is known in advance. (Who gets which status
on these URLs, role by role: the access declared in workflows/urls.py, checked by
test_route_matrix; a bad filter, test_permissions.)
"""

import csv
import datetime
import io
import random
import sqlite3
import statistics
from html.parser import HTMLParser
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from playwright.sync_api import expect
from viewflow.workflow.models import Task

from accounts.models import Organisation, Role
from core.models import AuditEvent
from eservices.models import TaskRoute
from permits import services as permits
from workflows import analytics
from workflows.flows import OPEN_STATUSES
from workflows.services import task_complete

from . import cases
from .conftest import on_postgres
from .factories import member
from .flowapp.flows import LicenceFlow, LicenceFlowV2
from .test_browser import _sync_db_from_playwright_thread, browser, logged_in_page  # noqa: F401  (shared fixtures)
from .test_diagram import SCREENSHOT_DIR

TASHKENT = ZoneInfo("Asia/Tashkent")
PERMIT = "permits.BuildingPermitFlow"
PAGE = reverse("workflows:analytics")
CSV = reverse("workflows:analytics_csv")


def at(*args):
    return datetime.datetime(*args, tzinfo=TASHKENT)


NOW = at(2026, 4, 10, 12)


def _review(application, step, reviewer):
    permits.permit_review(task=cases.claimed(application, step, reviewer), actor=reviewer,
                           data={"favourable": True, "comment": ""})


def build_history(people, permit_service, traveller):
    """Five permit applications over March and April 2026.

    Completeness checks (two working days allowed), by the architecture department
    in March: A 2 h, B 4 h, C 72 h (late); then routed to fire safety: D in April
    6 h, E still open (overdue from 6 April). A's reviews took 24 h (architecture),
    30 h (fire safety) and 48 h (environment); its decision waits for the head.
    B, C and D wait in all three review queues (all overdue by 10 April).
    """
    traveller.move_to(at(2026, 3, 2, 9))
    a = cases.submitted(people.citizen)
    traveller.move_to(at(2026, 3, 2, 10))
    b = cases.submitted(people.other_citizen)
    traveller.move_to(at(2026, 3, 2, 11))
    cases.check_completeness(a, people.clerk)
    traveller.move_to(at(2026, 3, 2, 14))
    cases.check_completeness(b, people.clerk)
    traveller.move_to(at(2026, 3, 3, 9))
    c = cases.submitted(people.citizen)
    traveller.move_to(at(2026, 3, 3, 11))
    _review(a, "review_architecture", people.clerk)
    traveller.move_to(at(2026, 3, 3, 17))
    _review(a, "review_fire_safety", people.fire)
    traveller.move_to(at(2026, 3, 4, 11))
    _review(a, "review_environment", people.environment)
    traveller.move_to(at(2026, 3, 6, 9))
    cases.check_completeness(c, people.clerk)
    fire_safety = Organisation.objects.get(code="dept-fire-safety")
    TaskRoute.objects.update_or_create(service_type=permit_service, task="check_completeness",
                                       defaults={"department": fire_safety})
    traveller.move_to(at(2026, 4, 1, 9))
    d = cases.submitted(people.citizen)
    traveller.move_to(at(2026, 4, 1, 15))
    cases.check_completeness(d, people.fire)
    traveller.move_to(at(2026, 4, 2, 9))
    e = cases.submitted(people.other_citizen)
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, fire_safety=fire_safety,
                           architecture=Organisation.objects.get(code="dept-architecture"))


@pytest.fixture
def history(people, permit_service):
    """The history, seen on 10 April 2026 at noon (the clock stays there during the test)."""
    with time_machine.travel(at(2026, 3, 2, 9), tick=False) as traveller:
        built = build_history(people, permit_service, traveller)
        traveller.move_to(NOW)
        yield built


# --- reading the page and the CSV as a user would -------------------------------------------------

class _Rows(HTMLParser):
    """Every table row of the page: its data-* attributes, classes and cell texts."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = {"attrs": dict(attrs), "cells": []}
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


FIGURES = ("started", "finished", "median", "p90", "sla", "open", "overdue")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def text_of(html):
    """The page's text as a reader sees it, white space collapsed."""
    parser = _Text()
    parser.feed(html)
    return " ".join("".join(parser.parts).split())


def page_rows(html):
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def step_rows(html):
    """``{step: (department column, started, ..., overdue)}`` of the step totals; department rows under ``(step, name)``."""
    found = {}
    for row in page_rows(html):
        attrs, cells = row["attrs"], row["cells"]
        if "step" in attrs.get("class", "").split():
            found[attrs["data-step"]] = dict(zip(FIGURES, cells[2:], strict=True)) | {"title": cells[0]}
        elif "department" in attrs.get("class", "").split():
            found[(attrs["data-step"], cells[1])] = dict(zip(FIGURES, cells[2:], strict=True))
    return found


def month_rows(html):
    """``{(month, step, department name): figures}`` of the monthly table."""
    return {(row["attrs"]["data-month"], row["attrs"]["data-step"], row["cells"][2]):
            dict(zip(FIGURES, row["cells"][3:], strict=True))
            for row in page_rows(html) if "data-month" in row["attrs"]}


def figures(started, finished, median, p90, sla, open_, overdue):
    return dict(zip(FIGURES, (str(started), str(finished), median, p90, sla, str(open_), str(overdue)), strict=True))


def csv_of(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


ARCHITECTURE = "Department of Architecture and Urban Planning"
FIRE = "Fire Safety Department"
ENVIRONMENT = "Environmental Protection Department"


# --- the figures ------------------------------------------------------------------------------------

def test_an_auditor_sees_volume_times_compliance_backlog_and_the_bottleneck_per_step(client, people, history):
    client.force_login(people.auditor)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    rows = step_rows(html)
    # Completeness: 2, 4, 72 and 6 hours; 3 of 4 on time; E open and overdue.
    assert rows["check_completeness"] == figures(5, 4, "5.0", "52.2", "75% (3 of 4)", 1, 1) | {
        "title": "Completeness check"}
    assert rows[("check_completeness", ARCHITECTURE)] == figures(3, 3, "4.0", "58.4", "67% (2 of 3)", 0, 0)
    assert rows[("check_completeness", FIRE)] == figures(2, 1, "6.0", "6.0", "100% (1 of 1)", 1, 1)
    assert rows["review_architecture"] == figures(4, 1, "24.0", "24.0", "100% (1 of 1)", 3, 3) | {
        "title": "Architecture review"}
    assert rows["review_fire_safety"] == figures(4, 1, "30.0", "30.0", "100% (1 of 1)", 3, 3) | {
        "title": "Fire safety review"}
    assert rows["review_environment"] == figures(4, 1, "48.0", "48.0", "100% (1 of 1)", 3, 3) | {
        "title": "Environmental review Bottleneck"}
    # The decision has an SLA but nothing finished yet: no time, no compliance.
    assert rows["decision"] == figures(1, 0, "—", "—", "—", 1, 1) | {"title": "Decision by the head"}
    assert "correction" not in rows  # no task of that step: no row
    # Three steps share the largest backlog (3); the environmental review takes longest.
    assert "Bottleneck: Environmental review — 3 open tasks" in text_of(html)
    [bottleneck_row] = [row for row in page_rows(html) if "bottleneck" in row["attrs"].get("class", "")]
    assert bottleneck_row["attrs"]["data-step"] == "review_environment"
    assert "Times are plain elapsed time" in html


def test_figures_are_split_by_month_and_department(client, people, history):
    client.force_login(people.admin)
    months = month_rows(client.get(PAGE).content.decode())
    assert months[("2026-03", "check_completeness", ARCHITECTURE)] == figures(3, 3, "4.0", "58.4", "67% (2 of 3)", 0, 0)
    assert months[("2026-04", "check_completeness", FIRE)] == figures(2, 1, "6.0", "6.0", "100% (1 of 1)", 1, 1)
    # Reviews count where they started (B and C in March, D in April) and where they finished (A's, in March).
    assert months[("2026-03", "review_fire_safety", FIRE)] == figures(3, 1, "30.0", "30.0", "100% (1 of 1)", 2, 2)
    assert months[("2026-04", "review_fire_safety", FIRE)] == figures(1, 0, "—", "—", "—", 1, 1)
    assert months[("2026-03", "decision", ARCHITECTURE)] == figures(1, 0, "—", "—", "—", 1, 1)
    assert len(months) == 2 + 3 * 2 + 1


def test_the_month_range_narrows_the_figures_and_moves_the_bottleneck(client, people, history):
    client.force_login(people.auditor)
    html = client.get(PAGE, {"from_month": "2026-04", "to_month": "2026-04"}).content.decode()
    rows = step_rows(html)
    assert rows["check_completeness"] == figures(2, 1, "6.0", "6.0", "100% (1 of 1)", 1, 1) | {
        "title": "Completeness check Bottleneck"}
    assert rows["review_architecture"] == figures(1, 0, "—", "—", "—", 1, 1) | {"title": "Architecture review"}
    assert "decision" not in rows  # created in March
    # Four steps with one open task each: the only one with a measured time wins.
    assert "Bottleneck: Completeness check — 1 open task" in text_of(html)
    assert set(month_rows(html)) == {("2026-04", step, dept) for step, dept in (
        ("check_completeness", FIRE), ("review_architecture", ARCHITECTURE), ("review_fire_safety", FIRE),
        ("review_environment", ENVIRONMENT))}


def test_the_department_filter_shows_one_departments_work(client, people, history):
    client.force_login(people.auditor)
    rows = step_rows(client.get(PAGE, {"department": history.fire_safety.pk}).content.decode())
    assert set(rows) == {"check_completeness", ("check_completeness", FIRE), "review_fire_safety",
                         ("review_fire_safety", FIRE)}
    assert rows["check_completeness"] == figures(2, 1, "6.0", "6.0", "100% (1 of 1)", 1, 1) | {
        "title": "Completeness check"}
    assert rows["review_fire_safety"]["title"] == "Fire safety review Bottleneck"


def test_the_flow_filter_and_an_empty_selection(client, people, history):
    client.force_login(people.auditor)
    response = client.get(PAGE, {"flow": PERMIT, "from_month": "2025-01", "to_month": "2025-12"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "No tasks match these filters." in html
    assert page_rows(html) == [] and "analytics-charts" not in html
    assert "Building permit" in client.get(PAGE, {"flow": PERMIT}).content.decode()


def test_a_supervisor_sees_only_the_departments_they_supervise(client, people, history):
    client.force_login(people.supervisor)  # head of architecture
    html = client.get(PAGE).content.decode()
    rows = step_rows(html)
    assert set(rows) == {"check_completeness", ("check_completeness", ARCHITECTURE), "review_architecture",
                         ("review_architecture", ARCHITECTURE), "decision", ("decision", ARCHITECTURE)}
    assert rows["check_completeness"] == figures(3, 3, "4.0", "58.4", "67% (2 of 3)", 0, 0) | {
        "title": "Completeness check"}
    assert FIRE not in html and ENVIRONMENT not in html
    assert "Bottleneck: Architecture review — 3 open tasks" in text_of(html)
    # Another department cannot be chosen, not even by typing its id.
    response = client.get(PAGE, {"department": history.fire_safety.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.get(CSV, {"department": history.fire_safety.pk}).status_code == 400


def test_a_supervisor_of_another_department_sees_none_of_these_rows(client, people, history):
    transport = Organisation.objects.create(code="dept-transport", name="Transport Department",
                                            kind=Organisation.Kind.DEPARTMENT, parent=history.architecture.parent)
    head = member(transport, Role.SUPERVISOR, full_name="Timur Transport")
    client.force_login(head)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert page_rows(html) == [] and "No tasks match these filters." in html
    assert csv_of(client.get(CSV)) == []


@pytest.mark.parametrize("query", [
    {"from_month": "2026-13"}, {"from_month": "March"}, {"to_month": "2026-04-01"}, {"flow": "eservices.NoSuchFlow"},
    {"department": "abc"}, {"department": "999999"}, {"from_month": "2026-05", "to_month": "2026-04"},
])
def test_bad_filters_are_a_400_with_a_message_not_a_500(client, people, query):
    client.force_login(people.auditor)
    response = client.get(PAGE, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and page_rows(html) == []
    response = client.get(CSV, query)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="workflows.analytics.export").exists()


def test_a_month_in_the_wrong_order_says_so(client, people):
    client.force_login(people.auditor)
    response = client.get(PAGE, {"from_month": "2026-05", "to_month": "2026-04"})
    assert "The first month must not come after the last one." in response.content.decode()


def _work_next_step(process, user):
    task = Task.objects.get(process=process, flow_task_type="HUMAN", status__in=OPEN_STATUSES)
    task.flow_task.activation_class(task).assign(user)
    task_complete(task=Task.objects.get(pk=task.pk), actor=user)


def test_every_flow_is_reported_and_each_version_on_its_own(client, people):
    """The engine knows no e-service: the test app's licence flow (two versions,
    no department, no deadlines) is analysed like the permit."""
    with time_machine.travel(at(2026, 5, 4, 9), tick=False) as traveller:
        old = LicenceFlow.start.run()
        traveller.move_to(at(2026, 5, 4, 10))
        _work_next_step(old, people.clerk)  # registered in 1 h
        new = LicenceFlowV2.start.run()
        traveller.move_to(at(2026, 5, 4, 13))
        _work_next_step(new, people.clerk)  # registered in 3 h; the inspection waits
        client.force_login(people.auditor)
        html = client.get(PAGE).content.decode()
        assert "Trade licence, version 1" in html and "Trade licence, version 2" in html
        rows = step_rows(client.get(PAGE, {"flow": "flowapp.LicenceFlowV2"}).content.decode())
        assert rows["register"] == figures(1, 1, "3.0", "3.0", "—", 0, 0) | {"title": "Register the application"}
        assert rows[("register", "No department")] == figures(1, 1, "3.0", "3.0", "—", 0, 0)
        assert rows["inspect"] == figures(1, 0, "—", "—", "—", 1, 0) | {"title": "Inspect the premises Bottleneck"}
        rows = step_rows(client.get(PAGE, {"flow": "flowapp.LicenceFlow"}).content.decode())
        assert rows["register"]["median"] == "1.0" and rows["decide"]["open"] == "1"
        # Tasks of no department are for those who see every department.
        client.force_login(people.supervisor)
        assert "No tasks match these filters." in client.get(PAGE).content.decode()


# --- CSV export -------------------------------------------------------------------------------------

def test_the_csv_has_one_row_per_flow_step_month_and_department_and_is_audited(client, people, history):
    client.force_login(people.auditor)
    response = client.get(CSV, {"flow": PERMIT})
    assert response["Content-Disposition"] == 'attachment; filename="process-analytics-2026-04-10.csv"'
    rows = csv_of(response)
    assert list(rows[0]) == list(analytics.CSV_HEADER)
    by_key = {(r["flow"], r["step"], r["month"], r["department"]): r for r in rows}
    assert len(by_key) == len(rows) == 9
    march = by_key[(PERMIT, "check_completeness", "2026-03", ARCHITECTURE)]
    assert march == {
        "flow": PERMIT, "flow_title": "Building permit", "step": "check_completeness",
        "step_title": "Completeness check", "month": "2026-03", "department_id": str(history.architecture.pk),
        "department": ARCHITECTURE, "started": "3", "finished": "3", "median_hours": "4.00", "p90_hours": "58.40",
        "sla_measured": "3", "sla_met": "2", "sla_compliance_pct": "66.7", "open_now": "0", "overdue_now": "0",
        "bottleneck": "",
    }
    decision = by_key[(PERMIT, "decision", "2026-03", ARCHITECTURE)]
    assert (decision["finished"], decision["median_hours"], decision["sla_compliance_pct"], decision["open_now"]) == (
        "0", "", "", "1")
    assert {r["step"] for r in rows if r["bottleneck"] == "yes"} == {"review_environment"}
    # Summed over the months, the CSV gives the page's totals.
    assert sum(int(r["open_now"]) for r in rows) == 1 + 3 + 3 + 3 + 1
    assert sum(int(r["finished"]) for r in rows if r["step"] == "check_completeness") == 4

    [event] = AuditEvent.objects.filter(action="workflows.analytics.export")
    assert event.actor == people.auditor
    assert event.after == {"flows": [PERMIT], "from": None, "to": None, "department": None, "rows": 9}


def test_the_csv_follows_the_pages_filters_and_scope(client, people, history):
    client.force_login(people.supervisor)
    rows = csv_of(client.get(CSV, {"from_month": "2026-03", "to_month": "2026-03"}))
    assert {(r["step"], r["month"], r["department"]) for r in rows} == {
        ("check_completeness", "2026-03", ARCHITECTURE), ("review_architecture", "2026-03", ARCHITECTURE),
        ("decision", "2026-03", ARCHITECTURE)}
    page = client.get(PAGE, {"from_month": "2026-03", "to_month": "2026-03"}).content.decode()
    assert f'href="{CSV}?from_month=2026-03&amp;to_month=2026-03"' in page
    event = AuditEvent.objects.get(action="workflows.analytics.export")
    assert event.actor == people.supervisor and event.after["from"] == "2026-03" and event.after["rows"] == 3


# --- in the database, on PostgreSQL and on SQLite --------------------------------------------------

def test_the_page_takes_the_same_number_of_queries_however_many_tasks(client, people, history):
    client.force_login(people.auditor)
    client.get(PAGE)  # warm the caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            cases.in_review(people.citizen, people.fire)  # completeness is routed to fire safety now
    with CaptureQueriesContext(connection) as more:
        response = client.get(PAGE)
    assert step_rows(response.content.decode())["review_architecture"]["started"] == "7"
    assert len(more) == len(few) <= 12, [q["sql"][:120] for q in more.captured_queries]


def _sqlite_percentile(values, fraction):
    db = sqlite3.connect(":memory:")
    db.create_aggregate(analytics.SQLITE_PERCENTILE, 2, analytics._PercentileCont)
    db.execute("CREATE TABLE t (v INTEGER)")
    db.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    [(result,)] = db.execute(f"SELECT {analytics.SQLITE_PERCENTILE}(v, ?) FROM t", [fraction])
    return datetime.timedelta(microseconds=result)


def test_postgresql_and_sqlite_compute_the_same_percentiles(db):
    """The SQLite aggregate is PostgreSQL's percentile_cont: linear interpolation
    between ranks (Python's "inclusive" quantiles). On PostgreSQL both run on the same durations."""
    rng = random.Random(4)
    for n in (1, 2, 3, 10, 41):
        seconds = [rng.randrange(60, 30 * 86400) for _ in range(n)]
        micros = [s * 1_000_000 for s in seconds]
        for fraction in (0.5, 0.9):
            via_sqlite = _sqlite_percentile(micros, fraction)
            if n > 1:
                cut = statistics.quantiles(seconds, n=10, method="inclusive")[int(fraction * 10) - 1]
                assert abs(via_sqlite.total_seconds() - cut) < 1e-6, (n, fraction)
            if on_postgres():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) "
                                   "FROM unnest(%s::interval[]) AS v",
                                   [fraction, [datetime.timedelta(seconds=s) for s in seconds]])
                    [(via_postgresql,)] = cursor.fetchall()
                assert via_postgresql == via_sqlite, (n, fraction)


def test_a_percentile_lies_between_0_and_1():
    with pytest.raises(ValueError):
        analytics.Percentile("created", 1.5)


# --- navigation, static files, the browser -----------------------------------------------------------

def test_the_navigation_links_analytics_for_those_allowed(client, people):
    link = f'href="{PAGE}"'
    for user, shown in ((people.supervisor, True), (people.auditor, True), (people.admin, True),
                        (people.clerk, False), (people.citizen, False), (people.ministry, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content.decode()) is shown, user.full_name


def test_chart_js_is_one_of_our_static_files():
    for path in ("vendor/chart.js/chart.umd.min.js", "vendor/chart.js/chart.umd.min.js.map",
                 "js/analytics-charts.js", "css/analytics.css"):
        assert finders.find(path), path
    assert finders.find("vendor/chart.js/chart.js") is None  # only the UMD build is served


def test_the_charts_get_their_figures_from_a_json_script(client, people, history):
    client.force_login(people.auditor)
    response = client.get(PAGE)
    html = response.content.decode()
    assert 'id="analytics-charts" type="application/json"' in html and "<script>" not in html
    [chart] = response.context["charts"]
    assert chart["throughput"]["labels"] == ["2026-03", "2026-04"]
    assert chart["throughput"]["datasets"][0] == {"label": "Completeness check", "data": [3, 1]}
    assert chart["time"]["datasets"][0]["data"] == [5.0, 24.0, 30.0, 48.0, None]
    assert chart["backlog"]["datasets"][0]["data"] == [1, 3, 3, 3, 1]


@pytest.mark.browser
def test_a_supervisor_sees_the_charts_drawn(live_server, browser, people, permit_service):  # noqa: F811
    # The clock runs on here: the browser keeps its session cookie by the real date.
    with time_machine.travel(at(2026, 3, 2, 9), tick=False) as traveller:
        build_history(people, permit_service, traveller)
    page = logged_in_page(browser, live_server, people.supervisor)
    page.wait_for_load_state("networkidle")
    page.context.add_init_script(
        "window.cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));"
    )
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.goto("/")
    page.get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Process analytics")
    for chart in ("throughput", "time", "backlog"):
        expect(page.locator(f"#flow-0-{chart}")).to_have_attribute("data-state", "ready")
    assert page.evaluate("document.getElementById('flow-0-backlog').width") > 0
    expect(page.locator("tr.bottleneck th")).to_contain_text("Architecture review")
    assert page.evaluate("window.cspViolations") == [] and problems == []
    if SCREENSHOT_DIR.is_dir():
        page.screenshot(path=str(SCREENSHOT_DIR / "test_analytics.png"), full_page=True)
