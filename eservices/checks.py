"""System checks of eservices' stored configuration; they read the database, so they run with
``manage.py check --database default`` (and before ``manage.py migrate`` migrates)."""

from collections import defaultdict

from django.apps import apps
from django.core import checks
from django.db import connections


@checks.register(checks.Tags.database)
def check_task_routes(app_configs=None, databases=None, **kwargs):
    """Every stored routing rule names a step people work in its service's flows. ``TaskRoute.clean`` refuses a
    new misspelt one; this finds those stored before, or written around it (a data migration, a script)."""
    from .models import ServiceVersion, TaskRoute, human_steps_of_flows

    if app_configs is not None and apps.get_app_config("eservices") not in app_configs:
        return []
    errors = []
    for alias in databases or ():
        tables = connections[alias].introspection.table_names()
        if TaskRoute._meta.db_table not in tables or ServiceVersion._meta.db_table not in tables:
            continue  # not migrated yet
        labels = defaultdict(set)
        for service_type_id, label in ServiceVersion.objects.using(alias).values_list("service_type_id", "flow"):
            labels[service_type_id].add(label)
        steps = {}
        routes = (TaskRoute.objects.using(alias).order_by("service_type__code", "task")
                  .values_list("pk", "service_type_id", "service_type__code", "task"))
        for pk, service_type_id, code, task in routes:
            if service_type_id not in steps:
                steps[service_type_id] = human_steps_of_flows(labels[service_type_id])
            known = steps[service_type_id]
            if known and task not in known:
                errors.append(checks.Error(
                    f"The routing rule #{pk} of the service {code} names the step {task!r}, which no flow of the "
                    f"service has people work (its cases would all go to the owning department).",
                    hint=f"Known steps: {', '.join(sorted(known))}. Correct the rule in the admin (Service types).",
                    obj=TaskRoute, id="eservices.E001"))
    return errors
