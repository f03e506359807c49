"""The department index serves every inbox tab in its own order: open human
tasks by department, oldest first, carrying what the tabs filter on (state,
heads-only steps) so a page's ids and its count come from the index alone.
(Measured with bench inbox_scale at 1,000,000 tasks: the team tab went from
walking viewflow's ``created`` index past every finished task to a few ms.)"""

from django.db import migrations

from core.migration_ops import sql_for

OPEN_HUMAN = "status IN ('NEW', 'ASSIGNED', 'STARTED') AND flow_task_type = 'HUMAN'"
OLD = f"CREATE INDEX munis_task_open_by_department ON viewflow_task (owner_permission_obj_pk, status, created, id) WHERE {OPEN_HUMAN}"
DROP = "DROP INDEX munis_task_open_by_department"


class Migration(migrations.Migration):

    dependencies = [("workflows", "0003_flow_versions")]

    operations = [
        sql_for(
            postgresql=[DROP, (
                "CREATE INDEX munis_task_open_by_department ON viewflow_task (owner_permission_obj_pk, created, id) "
                "INCLUDE (status, owner_permission, owner_permission_content_type_id, owner_id) "
                f"WHERE {OPEN_HUMAN}"
            )],
            sqlite=[DROP, (
                "CREATE INDEX munis_task_open_by_department ON viewflow_task (owner_permission_obj_pk, created, id) "
                f"WHERE {OPEN_HUMAN}"
            )],
            reverse_postgresql=[DROP, OLD],
            reverse_sqlite=[DROP, OLD],
        ),
    ]
