"""Service types become versioned: name, description, form, documents, fee,
deadline and flow move to ServiceVersion. Every existing service type becomes
its version 1 (published if it was published; retired if it was not but cases
were filed under it; a draft otherwise) and its applications point at it.

Not reversible: several versions cannot be folded back into one service type.
"""

import datetime

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone

import eservices.models


def versions_from_service_types(apps, schema_editor):
    ServiceType = apps.get_model("eservices", "ServiceType")
    ServiceVersion = apps.get_model("eservices", "ServiceVersion")
    now = timezone.now()
    for service_type in ServiceType.objects.all():
        cases = apps.get_model("eservices", "Application").objects.filter(service_type=service_type)
        first_case = cases.aggregate(first=Min("created"))["first"]
        if service_type.is_published:
            status, valid_from, valid_until = "published", min(first_case or now, now), None
        elif first_case is not None:
            status, valid_from, valid_until = "retired", first_case, max(now, first_case + datetime.timedelta(seconds=1))
        else:
            status, valid_from, valid_until = "draft", None, None
        version = ServiceVersion.objects.create(
            service_type=service_type, number=1, status=status, valid_from=valid_from, valid_until=valid_until,
            **{name: getattr(service_type, name) for name in (
                "name", "name_en", "name_ru", "description", "description_en", "description_ru",
                "form_schema", "fee", "deadline_days", "flow")},
        )
        cases.update(service_version=version)
        apps.get_model("eservices", "HistoricalApplication").objects.filter(
            service_type_id=service_type.pk).update(service_version_id=version.pk)
        apps.get_model("eservices", "RequiredDocument").objects.filter(service_type=service_type).update(version=version)
        apps.get_model("eservices", "HistoricalRequiredDocument").objects.filter(
            service_type_id=service_type.pk).update(version_id=version.pk)
    if schema_editor.connection.vendor == "postgresql":
        # Check the deferred foreign keys now, so the ALTER TABLEs below may follow in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ('eservices', '0002_application_status_closed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ServiceVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('retired', 'Retired')], default='draft', max_length=10, verbose_name='status')),
                ('valid_from', models.DateTimeField(blank=True, help_text='Empty: from the moment it is published.', null=True, verbose_name='valid from')),
                ('valid_until', models.DateTimeField(blank=True, help_text='Empty: until a newer version is published.', null=True, verbose_name='valid until')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('name_en', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('name_ru', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('description_en', models.TextField(blank=True, null=True, verbose_name='description')),
                ('description_ru', models.TextField(blank=True, null=True, verbose_name='description')),
                ('form_schema', models.JSONField(default=dict, help_text='JSON Schema of the application form; validated on the server.', validators=[eservices.models.validate_json_schema], verbose_name='form definition')),
                ('fee', models.DecimalField(decimal_places=2, default=0, max_digits=10, verbose_name='fee')),
                ('deadline_days', models.PositiveSmallIntegerField(default=30, verbose_name='legal deadline (working days)')),
                ('flow', models.CharField(choices=[('eservices.flows.BuildingPermitFlow', 'Building permit')], default='eservices.flows.BuildingPermitFlow', max_length=100, verbose_name='flow')),
                ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
            ],
            options={
                'verbose_name': 'service version',
                'verbose_name_plural': 'service versions',
                'ordering': ['service_type', '-number'],
            },
        ),
        migrations.AddField(
            model_name='serviceversion',
            name='service_type',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='eservices.servicetype', verbose_name='service type'),
        ),
        migrations.CreateModel(
            name='HistoricalServiceVersion',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published'), ('retired', 'Retired')], default='draft', max_length=10, verbose_name='status')),
                ('valid_from', models.DateTimeField(blank=True, help_text='Empty: from the moment it is published.', null=True, verbose_name='valid from')),
                ('valid_until', models.DateTimeField(blank=True, help_text='Empty: until a newer version is published.', null=True, verbose_name='valid until')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('name_en', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('name_ru', models.CharField(max_length=200, null=True, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('description_en', models.TextField(blank=True, null=True, verbose_name='description')),
                ('description_ru', models.TextField(blank=True, null=True, verbose_name='description')),
                ('form_schema', models.JSONField(default=dict, help_text='JSON Schema of the application form; validated on the server.', validators=[eservices.models.validate_json_schema], verbose_name='form definition')),
                ('fee', models.DecimalField(decimal_places=2, default=0, max_digits=10, verbose_name='fee')),
                ('deadline_days', models.PositiveSmallIntegerField(default=30, verbose_name='legal deadline (working days)')),
                ('flow', models.CharField(choices=[('eservices.flows.BuildingPermitFlow', 'Building permit')], default='eservices.flows.BuildingPermitFlow', max_length=100, verbose_name='flow')),
                ('created', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical service version',
                'verbose_name_plural': 'historical service versions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicalserviceversion',
            name='service_type',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='eservices.servicetype', verbose_name='service type'),
        ),
        migrations.AddField(
            model_name='historicalserviceversion',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='application',
            name='service_version',
            field=models.ForeignKey(null=True, help_text='The version of the service the case was filed (or its draft last saved) under.', on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='eservices.serviceversion', verbose_name='service version'),
        ),
        migrations.AddField(
            model_name='historicalapplication',
            name='service_version',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The version of the service the case was filed (or its draft last saved) under.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='eservices.serviceversion', verbose_name='service version'),
        ),
        migrations.AddField(
            model_name='requireddocument',
            name='version',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='required_documents', to='eservices.serviceversion'),
        ),
        migrations.AddField(
            model_name='historicalrequireddocument',
            name='version',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='eservices.serviceversion'),
        ),
        migrations.RunPython(versions_from_service_types, elidable=False),
        migrations.RemoveConstraint(
            model_name='requireddocument',
            name='required_document_unique_code',
        ),
        migrations.RemoveField(
            model_name='requireddocument',
            name='service_type',
        ),
        migrations.RemoveField(
            model_name='historicalrequireddocument',
            name='service_type',
        ),
        migrations.AlterField(
            model_name='requireddocument',
            name='version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='required_documents', to='eservices.serviceversion'),
        ),
        migrations.AddConstraint(
            model_name='requireddocument',
            constraint=models.UniqueConstraint(fields=('version', 'code'), name='required_document_unique_code'),
        ),
        migrations.AlterField(
            model_name='application',
            name='service_version',
            field=models.ForeignKey(help_text='The version of the service the case was filed (or its draft last saved) under.', on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='eservices.serviceversion', verbose_name='service version'),
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='deadline_days',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='description',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='description_en',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='description_ru',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='fee',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='flow',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='form_schema',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='is_published',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='name',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='name_en',
        ),
        migrations.RemoveField(
            model_name='historicalservicetype',
            name='name_ru',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='deadline_days',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='description',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='description_en',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='description_ru',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='fee',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='flow',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='form_schema',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='is_published',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='name',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='name_en',
        ),
        migrations.RemoveField(
            model_name='servicetype',
            name='name_ru',
        ),
        migrations.AlterModelOptions(
            name='servicetype',
            options={'ordering': ['code'], 'verbose_name': 'service type', 'verbose_name_plural': 'service types'},
        ),
        migrations.AddConstraint(
            model_name='serviceversion',
            constraint=models.UniqueConstraint(fields=('service_type', 'number'), name='service_version_unique_number'),
        ),
        migrations.AddConstraint(
            model_name='serviceversion',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'published')), fields=('service_type',), name='service_version_one_published'),
        ),
        migrations.AddConstraint(
            model_name='serviceversion',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('service_type',), name='service_version_one_draft'),
        ),
        migrations.AddConstraint(
            model_name='serviceversion',
            constraint=models.CheckConstraint(condition=models.Q(('valid_until__isnull', True), ('valid_from__isnull', True), ('valid_until__gt', models.F('valid_from')), _connector='OR'), name='service_version_valid_window'),
        ),
        migrations.AddConstraint(
            model_name='serviceversion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'published'), _negated=True), ('valid_from__isnull', False), _connector='OR'), name='service_version_published_has_start'),
        ),
    ]
