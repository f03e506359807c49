"""Open311 ``POST requests.json`` over HTTP against a bare Django view that inserts one row.

Each client thread is an outside application posting with its API key (``core.api_clients``): a report of a burst
pipe at a random point of the demo city (``reports.demo``'s catalog and districts), with an e-mail address to hear
back — checked, numbered, routed by the matrix to its supplier's queue with its clock, audited, its reporter told by
e-mail through the outbox. Baseline: a one-field form posted to ``bench.views.insert_one_row``. Same gunicorn server,
the same persistent HTTP connections (one per client thread), the same concurrency; rate limits are off for the run
(bench.environment), as for the other HTTP benchmarks.
"""

import itertools
import random

from django.urls import reverse

from bench import Comparison, register
from bench.client import Session
from bench.load import OperationFailed, compare_over_sessions, ratios_by_round
from bench.views import baseline_row_count, post_baseline_row

TARGET = 0.3
PATH = "/open311/v2/requests.json"


@register("open311_post", "Open311 POST requests.json (a report filed, routed and audited) vs a bare view inserting "
                          "one row")
def run(ctx):
    from core.api_clients import api_client_register
    from reports.demo import ensure_catalog
    from reports.models import Report

    ensure_catalog()
    _client, key = api_client_register(name="Bench Open311 app")
    before = (Report.objects.count(), baseline_row_count())
    server = ctx.server()
    sessions = [Session(server.url) for _n in range(ctx.concurrency)]
    for session in sessions:  # the baseline's form needs a CSRF cookie, as a browser would have; Open311 does not
        session.get(reverse("accounts:login"))
    rng = random.Random(7)
    serial = itertools.count()

    def post(session):
        n = next(serial)
        response = session.post_form(PATH, {
            "api_key": key, "service_code": "water-leak", "lat": f"{rng.uniform(38.51, 38.61):.6f}",
            "long": f"{rng.uniform(68.71, 68.85):.6f}", "description": f"Burst pipe number {n}",
            "email": f"resident{n}@bench.local"})
        if response.status != 201:
            raise OperationFailed(f"Open311 answered HTTP {response.status}: {response.body[:300]!r}")

    ours, baseline = compare_over_sessions(ctx, post, post_baseline_row, sessions)
    expected = ctx.requests + ctx.warmup
    filed, rows = Report.objects.count() - before[0], baseline_row_count() - before[1]
    if (filed, rows) != (expected, expected):
        raise RuntimeError(f"Expected {expected} reports filed and {expected} baseline rows; found {filed} and {rows}.")
    by_round = ratios_by_round(ours, baseline)
    print(f"  ratio by round: {' '.join(f'{ratio:.2f}' for ratio in by_round)}")
    return Comparison(name="open311_post", ours=ours.rate, baseline=baseline.rate, target=TARGET, unit="requests/s",
                      details={"ours": ours.summary(), "baseline": baseline.summary(), "ratio_by_round": by_round,
                               "verified": {"reports_filed": filed, "baseline_rows": rows}})
