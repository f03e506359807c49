from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def as_database_superuser():
    """A cursor for someone with direct database access who switches off the
    append-only trigger (PostgreSQL) — the attacker verify_audit must catch."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        yield cursor
