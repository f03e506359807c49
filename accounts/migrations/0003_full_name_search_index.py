"""Trigram index for searching people by part of their name (the inbox's
search by applicant). PostgreSQL only; SQLite searches without it."""

from django.db import migrations

from core.migration_ops import sql_for


class Migration(migrations.Migration):

    dependencies = [("accounts", "0002_organisation_name_translations")]

    operations = [
        sql_for(
            postgresql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX munis_user_full_name_trgm ON accounts_user USING gin (upper(full_name::text) gin_trgm_ops)",
            ],
            reverse_postgresql=["DROP INDEX munis_user_full_name_trgm"],
        ),
    ]
