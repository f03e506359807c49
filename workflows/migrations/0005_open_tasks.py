"""The inbox reads its own table of open tasks (workflows.open_tasks), filled
from the tasks already open (by 0007, see fill below). Searching it by part of a reference or a
name uses a trigram index on PostgreSQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_ops import sql_for

def fill(apps, schema_editor):
    """Nothing here any more: the rows are derived data, written by the live code
    (workflows.open_tasks.rebuild) exactly as it writes them today, so the last
    migration that changes their shape fills them (0007); the live code writing
    them here would name columns a later migration adds."""


class Migration(migrations.Migration):

    dependencies = [
        ('viewflow', '0015_task_scheduled'),
        ('workflows', '0003_flow_versions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenTask',
            fields=[
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='open_entry', serialize=False, to='viewflow.task')),
                ('department_id', models.BigIntegerField(blank=True, null=True, verbose_name='department')),
                ('heads_only', models.BooleanField(default=False, verbose_name='for heads of department')),
                ('status', models.CharField(max_length=50, verbose_name='status')),
                ('created', models.DateTimeField(verbose_name='created')),
                ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due')),
                ('service', models.CharField(blank=True, max_length=64, verbose_name='service')),
                ('district_id', models.BigIntegerField(blank=True, null=True, verbose_name='district')),
                ('search', models.TextField(blank=True, help_text='Reference and applicant, in capitals.', verbose_name='search text')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='holder')),
                ('process', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='viewflow.process')),
            ],
            options={
                'verbose_name': 'open task',
                'verbose_name_plural': 'open tasks',
                'indexes': [models.Index(fields=['department_id', 'created', 'task'], include=('status', 'heads_only', 'due_at', 'district_id'), name='opentask_department'), models.Index(fields=['department_id', 'due_at', 'created', 'task'], name='opentask_department_due'), models.Index(fields=['owner', 'created', 'task'], name='opentask_holder')],
            },
        ),
        sql_for(
            postgresql=[
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX opentask_search_trgm ON workflows_opentask USING gin (search gin_trgm_ops)",
            ],
            reverse_postgresql=["DROP INDEX opentask_search_trgm"],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunSQL(
            ["DROP INDEX IF EXISTS munis_task_open_by_department", "DROP INDEX IF EXISTS munis_task_open_by_owner"],
            migrations.RunSQL.noop,
        ),
    ]
