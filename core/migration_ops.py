"""Migration operations for SQL that only one database understands."""

from django.db import migrations


def sql_for(*, postgresql=(), sqlite=(), reverse_postgresql=(), reverse_sqlite=()):
    """A RunPython that runs the statements written for the database being
    migrated (PostgreSQL-only index types, INCLUDE columns, extensions), and
    their reverse when unapplied."""

    def run(statements):
        def apply(apps, schema_editor):
            for statement in statements.get(schema_editor.connection.vendor, ()):
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(
        run({"postgresql": postgresql, "sqlite": sqlite}),
        run({"postgresql": reverse_postgresql, "sqlite": reverse_sqlite}),
    )
