"""Open311: every report gets a token (GeoReport v2 ``tokens/{token}``) and may keep the link to a photo an app
hosts (``media_url``). The token is added empty, each existing report is given its own, then it is made unique:
a column added with a default would give every existing row the same one."""

import uuid

from django.db import migrations, models


def give_each_report_a_token(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    for pk in Report.objects.filter(token__isnull=True).values_list("pk", flat=True).iterator():
        Report.objects.filter(pk=pk).update(token=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_category_classifier'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalreport',
            name='media_url',
            field=models.URLField(blank=True, max_length=500, verbose_name='link to a photo'),
        ),
        migrations.AddField(
            model_name='report',
            name='media_url',
            field=models.URLField(blank=True, max_length=500, verbose_name='link to a photo'),
        ),
        migrations.AddField(
            model_name='report',
            name='token',
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_report_a_token, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='report',
            name='token',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
