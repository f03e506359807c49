"""An index for the inbox's district filter: a department's tasks in one district are
listed and counted from it alone, instead of reading every open task of the department
(or, as PostgreSQL chose for the count at a million tasks, the whole table)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workflows', '0005_open_tasks'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='opentask',
            index=models.Index(fields=['department_id', 'district_id', 'created', 'task'],
                               include=('status', 'heads_only'), name='opentask_district'),
        ),
    ]
