"""The staff inbox with a million tasks in the database against the same pages with a thousand.

PostgreSQL only (on SQLite it says so and returns nothing). It runs in a database of its own,
``munis_bench_inbox``, so neither the million rows nor the other benchmarks' cases disturb
anyone. ``bench.inbox_fixture`` loads building-permit cases with set-based SQL — first about
1,000 tasks, then (after removing those) about 1,000,000 —, fills the inbox's open-task rows as
``manage.py rebuild_inbox`` would, and runs VACUUM ANALYZE after each
load. Each page of ``PAGES`` is requested in-process through Django's test ``Client`` (the
whole middleware stack, no HTTP server: a server adds the same constant to both sizes), as a
clerk of the architecture department or as its head, both logged in with a session. For each
page and size: the SQL queries of one request (``CaptureQueriesContext``; the same count is
expected at both sizes), the rows shown, and the latency of ``-n`` requests (at most
``MAX_REQUESTS``, one after the other) after ``--warmup``.

A row of the results table is one page: p95 at 1,000,000 tasks against p95 at 1,000, target
at most 2x. "The same page" lists the same tasks' worth of rows at both sizes, so the ratio is
what the million rows behind it cost, not drawing more rows: a full page
(``workflows.selectors.INBOX_PAGE_SIZE``, 25) everywhere but the search by reference, which
lists its case's one task (``Page.rows``). The million are spread as a city's five years
(``inbox_fixture.CITY``: 3 % of the task rows open, in 12 districts, from 500 applicants, held
by every clerk). A thousand spread that way leave about 30 tasks open and most pages with 1 to
10 rows, so the thousand are spread as the measured department's full desk instead
(``inbox_fixture.FULL_PAGES``: every case open, in one district, from twelve applicants of one
family name, the held tasks held by the clerk and the head the bench logs in as, one case in
two stuck past its due date). The rows each page lists are printed beside the query counts; a
page that lists any other number at either size stops the benchmark with an error. The JSON
details hold both sizes' figures and, for the big size, the page's slowest query with its
EXPLAIN (ANALYZE, BUFFERS), also printed when it takes ``EXPLAIN_FROM_MS`` or more.
"""

import re
import time
from dataclasses import dataclass
from urllib.parse import quote

from django.db import connection
from django.urls import reverse

from bench import Comparison, inbox_fixture, register
from bench.load import Load, OperationFailed

#: task rows -> how the fixture spreads the open work over them (module docstring)
MIXES = {1_000: inbox_fixture.FULL_PAGES, 1_000_000: inbox_fixture.CITY}
SIZES = tuple(MIXES)
TARGET = 2.0
MAX_REQUESTS = 100
EXPLAIN_FROM_MS = 20.0


@dataclass(frozen=True)
class Page:
    """One inbox page: whose (``clerk`` or ``head``) and its query string, which may name
    ``{reference}``, ``{district}`` or ``{applicant}``: the reference and the district of the
    newest case in the clerk's queue, the family name of the applicant of the oldest; and the
    tasks it must list at both sizes (None: a full page)."""

    role: str
    label: str
    query: str
    rows: int | None = None


PAGES = (
    Page("clerk", "queue", "tab=queue"),
    Page("clerk", "mine", "tab=mine"),
    Page("clerk", "overdue", "tab=overdue"),
    Page("clerk", "queue due within 7 days", "tab=queue&due=week"),
    Page("clerk", "queue newest first", "tab=queue&sort=newest"),
    Page("clerk", "queue by due date", "tab=queue&sort=due"),
    Page("clerk", "queue of one district", "tab=queue&district={district}"),
    Page("clerk", "search reference", "tab=queue&q={reference}", rows=1),  # the case's one task in the queue
    Page("clerk", "search applicant", "tab=queue&q={applicant}"),
    Page("head", "queue", "tab=queue"),
    Page("head", "team", "tab=team"),
    Page("head", "overdue held", "tab=overdue&status=ASSIGNED"),
)


@dataclass
class Figures:
    queries: int
    rows: int
    load: Load
    slowest_sql: str
    slowest_ms: float

    def summary(self):
        return {"queries": self.queries, "rows": self.rows, **self.load.summary()}


@register("inbox_scale", "Inbox pages (clerk, head) at 1,000,000 tasks vs 1,000 in PostgreSQL: p95 and queries")
def run(ctx):
    if connection.vendor != "postgresql":
        print("  inbox_scale needs PostgreSQL (DATABASE_URL=postgres://…); nothing measured.")
        return []
    from bench.environment import separate_database

    with separate_database("inbox") as name:
        print(f"  in database {name}", flush=True)
        staff = inbox_fixture.staff_and_applicants()
        template = inbox_fixture.template_case(staff)
        clients = {"clerk": _logged_in(staff.clerk), "head": _logged_in(staff.head)}
        measured, loads = {}, {}
        for size, mix in MIXES.items():
            inbox_fixture.clear(template)
            loads[size] = inbox_fixture.load(total_tasks=size, staff=staff, template=template, mix=mix)
            print(f"  {size:,}: {loads[size].describe()}", flush=True)
            values = {key: quote(value) for key, value in _searched(staff).items()}
            measured[size] = {page: _measure(clients[page.role], page, _url(page, values), ctx, size)
                              for page in PAGES}
        comparisons = [_compare(page, measured, loads) for page in PAGES]
    _print_pages(measured)
    _print_slow_plans(comparisons)
    return comparisons


def _logged_in(user):
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _url(page, values):
    return f"{reverse('workflows:inbox')}?{page.query.format(**values)}"


def _searched(staff):
    """What a clerk types in the search box when an applicant calls, or picks in the filters: the
    reference and district of the newest case in the clerk's queue, the family name of the
    applicant of the oldest."""
    from viewflow.workflow.models import Task

    from eservices.models import Application
    from workflows.flows import STAFF_TASK

    department = str(staff.teams["dept-architecture"].department_id)
    queue = Task.objects.filter(flow_task_type="HUMAN", status="NEW", owner_permission=STAFF_TASK,
                                owner_permission_obj_pk=department)
    newest, oldest = (Application.objects.select_related("applicant").get(
        process_id=queue.order_by(order).values_list("process_id", flat=True)[0]) for order in ("-created", "created"))
    return {"reference": newest.reference, "district": str(newest.district_id),
            "applicant": oldest.applicant.full_name.split()[-1]}


def _get(client, url):
    """The page's status must be 200; returns how many tasks it lists (links to task pages)."""
    response = client.get(url)
    if response.status_code != 200:
        raise OperationFailed(f"{url} answered HTTP {response.status_code}: {response.content[:300]!r}")
    task_link = re.escape(reverse("workflows:task", args=[0])).replace("0", r"(\d+)", 1)
    return len(set(re.findall(f'href="{task_link}"', response.content.decode())))


def _measure(client, page, url, ctx, size):
    from django.test.utils import CaptureQueriesContext

    from workflows.selectors import INBOX_PAGE_SIZE

    for _ in range(ctx.warmup):
        _get(client, url)
    with CaptureQueriesContext(connection) as captured:
        rows = _get(client, url)
    queries = captured.captured_queries  # read now: the next request empties the connection's log
    expected = page.rows or INBOX_PAGE_SIZE
    if rows != expected:
        raise OperationFailed(
            f"{url} lists {rows} task(s) at {size:,} tasks, not {expected}: the two sizes would compare pages of "
            f"different lengths. The fixture's mix for this size (bench.inbox_fixture) no longer fills the page.")
    latencies = []
    for _ in range(min(ctx.requests, MAX_REQUESTS)):
        began = time.perf_counter()
        _get(client, url)
        latencies.append(time.perf_counter() - began)
    slowest = max(queries, key=lambda query: float(query["time"]))
    return Figures(queries=len(queries), rows=rows, load=Load(len(latencies), sum(latencies), latencies),
                   slowest_sql=slowest["sql"], slowest_ms=float(slowest["time"]) * 1000)


def _compare(page, measured, loads):
    small, large = (measured[size][page] for size in SIZES)
    p95 = {size: measured[size][page].load.summary()["latency_ms"]["p95"] for size in SIZES}
    details = {
        "role": page.role, "query": page.query,
        "sizes": {str(size): {**measured[size][page].summary(), "fixture": vars(loads[size])} for size in SIZES},
        "queries_equal": small.queries == large.queries,
        "slowest_query": {"ms": round(large.slowest_ms, 2), "sql": large.slowest_sql,
                          "plan": _explain(large.slowest_sql)},
    }
    return Comparison(name=f"inbox_scale {page.role}: {page.label}", ours=p95[SIZES[-1]], baseline=p95[SIZES[0]],
                      target=TARGET, unit="ms p95", lower_is_better=True, details=details)


def _explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def _print_pages(measured):
    small, large = SIZES[0], SIZES[-1]
    print(f"  {'page':<34} {'queries':>9} {'rows':>9} {'p95 ms':>17}   slowest query at {large:,}")
    for page in PAGES:
        a, b = measured[small][page], measured[large][page]
        p95 = [figures.load.summary()["latency_ms"]["p95"] for figures in (a, b)]
        warning = "" if a.queries == b.queries else "   <- the query count differs"
        print(f"  {page.role + ': ' + page.label:<34} {a.queries:>4}/{b.queries:<4} {a.rows:>4}/{b.rows:<4} "
              f"{p95[0]:>8.1f}/{p95[1]:<8.1f}  {b.slowest_ms:8.1f} ms{warning}")


SELECTED_COLUMNS = re.compile(r"^SELECT .*? FROM ", re.DOTALL)


def _print_slow_plans(comparisons):
    for comparison in comparisons:
        slowest = comparison.details["slowest_query"]
        if slowest["ms"] < EXPLAIN_FROM_MS:
            continue
        print(f"\n  {comparison.name}: slowest query at {SIZES[-1]:,} tasks, {slowest['ms']:.1f} ms:")
        for line in (SELECTED_COLUMNS.sub("SELECT … FROM ", slowest["sql"], count=1), *slowest["plan"]):
            print(f"    {line}")
