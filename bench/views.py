"""The bare baseline: a Django view that inserts one row and nothing else.

It runs behind the same middleware, in the same server process, as the views it is compared
with. Its table exists only in the bench database, created with raw SQL by the bench itself.
"""

from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

BASELINE_TABLE = "bench_baseline_row"
BASELINE_PATH = "/__bench__/insert-one-row/"


def create_baseline_table():
    id_column = "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {BASELINE_TABLE} "
            f"(id {id_column}, created_at TIMESTAMP WITH TIME ZONE NOT NULL, note VARCHAR(200) NOT NULL)"
        )


def baseline_row_count():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {BASELINE_TABLE}")
        return cursor.fetchone()[0]


@require_POST
def insert_one_row(request):
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {BASELINE_TABLE} (created_at, note) VALUES (%s, %s)",
            [timezone.now(), request.POST.get("note", "")[:200]],
        )
    return HttpResponse(status=201)


def post_baseline_row(session):
    """The baseline's operation over HTTP: one form post to ``insert_one_row`` (a ``bench.client.Session``)."""
    from bench.load import OperationFailed

    response = session.post_form(BASELINE_PATH, {"note": "bench"})
    if response.status != 201:
        raise OperationFailed(f"Baseline answered HTTP {response.status}: {response.body[:300]!r}")
