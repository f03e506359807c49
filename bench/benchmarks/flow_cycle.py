"""A flow started and three tasks completed, in-process, against bare ORM inserts of the same rows.

Ours, one cycle: a citizen applies for a building permit with three PDFs
(``eservices.services.application_apply``), a clerk of the architecture department claims
and completes the completeness check (complete), then the architecture and the fire-safety
reviews are claimed and completed by their departments' clerks (``workflows.services``
through the permit services). The steps are ``tests.cases``' — the same calls the tests make,
each task looked up as a staff page would. No HTTP: that is ``permit_submission``'s business;
the same user objects serve every cycle.

Baseline: the same rows and nothing else. Before measuring, one cycle runs with the rows of
every table counted before and after, and the rows it wrote are kept as templates. A baseline
cycle inserts a copy of each, table by table in foreign-key order (a copied task points at the
copied process), one plain ORM INSERT per row — ``bulk_create`` of one object, so no signals,
no row history, no audit — all in one transaction. Unique columns get fresh values of the same
width (reference number, audit hash); the audit chain of the bench database is broken by these
copies, which is fine for a throw-away database. What the baseline leaves out is what the
engine adds: validation and upload checks, files on disk, reads and row locks, the UPDATEs
(task states, case status, audit chain head), hashing, the e-mail.

One thread, ``-n`` cycles per side in alternating rounds; cycles/s for both and the ratio.
There is no target.
"""

import graphlib
import secrets
from types import SimpleNamespace

from bench import Comparison, register
from bench.load import compare, run_load

REVIEWS = (("review_architecture", "clerk"), ("review_fire_safety", "fire"))


@register("flow_cycle", "Permit flow start + 3 task completions in-process vs bare ORM inserts of the same rows")
def run(ctx):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from permits.catalog import ensure_building_permit_service

    ensure_building_permit_service()
    cast = _cast()
    cycle(cast)  # the year's first case also creates its reference counter: not a typical cycle
    before = row_counts()
    with CaptureQueriesContext(connection) as ours_queries:
        cycle(cast)
    written = {model: count - before[model] for model, count in row_counts().items() if count != before[model]}
    plan = insert_plan(written)
    with CaptureQueriesContext(connection) as baseline_queries:
        insert_copies(plan)
    queries = {"ours": len(ours_queries), "baseline": len(baseline_queries)}
    if ctx.warmup:
        run_load(cycle, [cast], ctx.warmup)
        run_load(insert_copies, [plan], ctx.warmup)
    before = row_counts()
    ours, baseline = compare((cycle, [cast]), (insert_copies, [plan]), count=ctx.requests, rounds=ctx.rounds)
    _check_same_rows(before, written, ctx.requests)
    rows = {model._meta.db_table: count for model, count in written.items()}
    print(f"  rows per cycle: {sum(rows.values())} in {len(rows)} tables "
          f"({', '.join(f'{table} {count}' for table, count in sorted(rows.items()))}); "
          f"queries per cycle: {queries['ours']} ours, {queries['baseline']} baseline")
    return Comparison(
        name="flow_cycle", ours=ours.rate, baseline=baseline.rate, target=None, unit="cycles/s",
        details={"ours": ours.summary(), "baseline": baseline.summary(), "rows_per_cycle": rows,
                 "queries_per_cycle": queries},
    )


def _cast():
    from accounts.models import Organisation, Role
    from tests.factories import UserFactory, member

    departments = {org.code: org for org in Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT)}
    return SimpleNamespace(
        citizen=UserFactory(email="bench-flow-citizen@bench.local", full_name="Bench Applicant"),
        clerk=member(departments["dept-architecture"], Role.CLERK, email="bench-flow-clerk@bench.local"),
        fire=member(departments["dept-fire-safety"], Role.CLERK, email="bench-flow-fire@bench.local"),
    )


def cycle(cast):
    """Apply, pass the completeness check, complete two of the three reviews."""
    from permits import services as permits
    from tests import cases

    application = cases.check_completeness(cases.submitted(cast.citizen), cast.clerk)
    for step, who in REVIEWS:
        reviewer = getattr(cast, who)
        permits.permit_review(task=cases.claimed(application, step, reviewer), actor=reviewer,
                               data={"favourable": True, "comment": ""})


# --- the baseline ----------------------------------------------------------------------

def tables():
    from django.apps import apps

    return [model for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy]


def row_counts():
    return {model: model._base_manager.count() for model in tables()}


def _foreign_keys(model):
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None]


def insert_plan(written):
    """``[(model, [template rows])]`` in foreign-key order: the last ``n`` rows of each table
    that the measured cycle wrote ``n`` rows into, parents before children."""
    from django.contrib.contenttypes.models import ContentType

    templates = {model: list(model._base_manager.order_by("-pk")[:count])[::-1] for model, count in written.items()}
    template_pks = {model: {row.pk for row in rows} for model, rows in templates.items()}
    parents = {
        model: {f.related_model for f in _foreign_keys(model)
                if f.related_model in templates and f.related_model is not model
                and any(getattr(row, f.attname) in template_pks[f.related_model] for row in rows)}
        for model, rows in templates.items()
    }
    for model, rows in templates.items():  # generic references order their targets first too
        for ref in _generic_references(model):
            for row in rows:
                content_type_id = getattr(row, ref.ct_field + "_id")
                target = ContentType.objects.get_for_id(content_type_id).model_class() if content_type_id else None
                if target in templates and target is not model and model not in parents[target]:
                    parents[model].add(target)  # (a process names its case, whose row names the process: skipped)
    return [(model, templates[model]) for model in graphlib.TopologicalSorter(parents).static_order()]


def insert_copies(plan):
    """One baseline cycle: a copy of every template row, one INSERT each, in one transaction."""
    from django.db import transaction

    copied = {}
    with transaction.atomic():
        for model, rows in plan:
            for row in rows:
                copy = _copy(model, row, copied)
                model._base_manager.bulk_create([copy])
                if copy.pk is None:
                    raise RuntimeError(f"{model._meta.label}: the database did not return the new row's id.")
                copied[model, row.pk] = copy.pk


def _copy(model, row, copied):
    from django.contrib.contenttypes.models import ContentType

    values = {}
    for f in model._meta.concrete_fields:
        value = getattr(row, f.attname)
        if f.is_relation and f.related_model is not None:
            value = copied.get((f.related_model, value), value)
        elif f.primary_key:
            value = None
        elif f.unique and value is not None:
            if not isinstance(value, str):
                raise RuntimeError(f"{model._meta.label}.{f.name}: no fresh value for a unique {type(value).__name__}.")
            value = secrets.token_hex(len(value))[:len(value)]
        values[f.attname] = value
    for ref in _generic_references(model):  # e.g. a document naming its case by content type and id
        content_type_id, object_id = getattr(row, ref.ct_field + "_id"), getattr(row, ref.fk_field)
        if content_type_id and object_id not in (None, ""):
            target = ContentType.objects.get_for_id(content_type_id).model_class()
            copy_pk = copied.get((target, target._meta.pk.to_python(object_id)))
            if copy_pk is not None:
                values[ref.fk_field] = type(object_id)(copy_pk)
    return model(**values)


def _generic_references(model):
    from django.contrib.contenttypes.fields import GenericForeignKey

    return [field for field in model._meta.private_fields if isinstance(field, GenericForeignKey)]


def _check_same_rows(before, written, cycles):
    """Both sides wrote ``cycles`` times the measured cycle's rows, table by table, and nothing else."""
    after = row_counts()
    wrong = {model._meta.db_table: (after[model] - before[model], 2 * cycles * written.get(model, 0))
             for model in after if after[model] - before[model] != 2 * cycles * written.get(model, 0)}
    if wrong:
        raise RuntimeError("Rows written differ from twice the cycle's (table: written, expected): "
                           + ", ".join(f"{table}: {got}, {expected}" for table, (got, expected) in wrong.items()))
