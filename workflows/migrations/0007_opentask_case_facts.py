"""Each inbox row shows its case's reference, applicant and submission date from
its own columns (copied through the flow's case_lookups, as the search text
is), so a page draws them without reading the cases.

The rows are derived data, recomputed here by the live code (see 0005): the
last migration that changes their shape fills them, so a database that has
open tasks and migrates from before 0005 never has rows written for columns
the table does not have yet."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from workflows import open_tasks

    open_tasks.rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0006_opentask_district'),
        # the live code reads each process's flow by its name today: the permit's moved out of eservices there
        ('permits', '0001_the_permit_moves_out_of_eservices'),
    ]

    operations = [
        migrations.AddField(
            model_name='opentask',
            name='reference',
            field=models.CharField(blank=True, max_length=64, verbose_name='reference number'),
        ),
        migrations.AddField(
            model_name='opentask',
            name='applicant',
            field=models.CharField(blank=True, max_length=200, verbose_name='applicant'),
        ),
        migrations.AddField(
            model_name='opentask',
            name='submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='submitted'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
