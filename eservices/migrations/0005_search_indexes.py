"""Trigram index for the inbox's search by part of a reference number
(``icontains`` is ``UPPER(reference) LIKE UPPER('%…%')``). PostgreSQL only;
SQLite searches without it."""

from django.db import migrations

from core.migration_ops import sql_for


class Migration(migrations.Migration):

    dependencies = [("eservices", "0004_application_district")]

    operations = [
        sql_for(
            postgresql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX munis_application_reference_trgm ON eservices_application "
                "USING gin (upper(reference::text) gin_trgm_ops)",
            ],
            reverse_postgresql=["DROP INDEX munis_application_reference_trgm"],
        ),
    ]
