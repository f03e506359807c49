"""The building permit's flow moved from ``eservices`` to its own app: every stored
name of it follows — the engine's processes and tasks (``eservices/flows.…`` →
``permits/flows.…``), the service versions' flow label, and the deployed flow
version. Audit rows keep the names they were written with."""

from django.db import migrations

OLD_APP, NEW_APP, FLOW = "eservices", "permits", "BuildingPermitFlow"


def _rename(apps, schema_editor, source, target):
    engine_source, engine_target = f"{source}/flows.{FLOW}", f"{target}/flows.{FLOW}"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("UPDATE viewflow_process SET flow_class = %s WHERE flow_class = %s",
                       [engine_target, engine_source])
        # a task's reference is its flow's followed by ".<step>"
        cursor.execute("UPDATE viewflow_task SET flow_task = %s || substr(flow_task, %s) WHERE flow_task LIKE %s",
                       [engine_target, len(engine_source) + 1, f"{engine_source}.%"])
    for model in ("ServiceVersion", "HistoricalServiceVersion"):
        apps.get_model("eservices", model).objects.filter(flow=f"{source}.{FLOW}").update(flow=f"{target}.{FLOW}")
    FlowVersion = apps.get_model("workflows", "FlowVersion")
    if not FlowVersion.objects.filter(label=f"{target}.{FLOW}").exists():
        FlowVersion.objects.filter(label=f"{source}.{FLOW}").update(label=f"{target}.{FLOW}")


def forward(apps, schema_editor):
    _rename(apps, schema_editor, OLD_APP, NEW_APP)


def backward(apps, schema_editor):
    _rename(apps, schema_editor, NEW_APP, OLD_APP)


class Migration(migrations.Migration):

    dependencies = [
        ("eservices", "0009_service_versions_name_flows_by_label"),
        ("workflows", "0006_opentask_district"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [migrations.RunPython(forward, backward)]
