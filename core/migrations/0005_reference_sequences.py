"""Reference numbers move from eservices to core, so every app can number its
records. The counters of a database numbered by eservices are copied over
(eservices.0007 then drops its own table)."""

from django.db import migrations, models

OLD_TABLE = "eservices_referencesequence"


def copy_counters(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    ReferenceSequence = apps.get_model("core", "ReferenceSequence")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT series, year, last_value FROM {connection.ops.quote_name(OLD_TABLE)}")
        rows = cursor.fetchall()
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(series=series, year=year, last_value=last) for series, year, last in rows])


class Migration(migrations.Migration):

    dependencies = [("core", "0004_idempotent_requests")]

    operations = [
        migrations.CreateModel(
            name="ReferenceSequence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("series", models.CharField(max_length=40, verbose_name="series")),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("last_value", models.PositiveIntegerField(default=0, verbose_name="last number given")),
            ],
            options={
                "verbose_name": "reference sequence",
                "verbose_name_plural": "reference sequences",
                "constraints": [models.UniqueConstraint(fields=("series", "year"), name="core_reference_sequence_unique")],
            },
        ),
        migrations.RunPython(copy_counters, migrations.RunPython.noop),
    ]
