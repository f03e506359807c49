"""Inbox data at any size, fast: building-permit cases written with set-based SQL
(``INSERT … SELECT … FROM generate_series``) into the tables the inbox reads —
viewflow's processes and tasks, applications, task and case clocks. PostgreSQL only.

The rows copy a real case: one permit is taken through the services from
submission to the permit (``tests.cases.approved``), and every generated process,
task, application and clock copies the columns of its counterpart in that case,
overriding only what differs from case to case (ids, states, times, holders,
references). So the rows are what the engine writes (flow and node names,
department routing, permissions, SLA allowances), and a column added to these
tables later is filled like the real case's.

The shape, for ``total_tasks`` task rows spread as ``CITY`` (a city's five years, the
million of the ``inbox_scale`` benchmark):

- most cases decided (approved) over the past five years, each with the eleven
  tasks of the flow, all DONE;
- ``open_share`` (3 %) of all task rows are open human tasks, in cases waiting at the
  completeness check (2 in 5), in the three parallel reviews (2 in 5: one review
  done, two open) or at the head's decision (1 in 5), i.e. in the three
  departments of the permit flow (architecture, fire safety, environment);
- an open task waits since 1 hour to 7 days, one case in 20 is stuck for weeks
  to months, so some tasks are overdue (their clocks say so, reminders and
  escalations are marked as fired);
- 2 in 5 open tasks are held (ASSIGNED) by one of the department's clerks (the
  head's decisions by one of its heads), the rest wait in the queue;
- cases spread evenly over ``DISTRICTS`` districts and ``APPLICANTS`` applicants.

``FULL_PAGES`` is the thousand of the benchmark, which must fill every page it measures
as the million do (a thousand rows spread as ``CITY`` leave about 30 tasks open, a
handful per page): every case open but one decided (the open share as high as the
flow's shapes allow, about 24 %: some 240 open tasks, 150 of them in the architecture
department), all cases in the first district and from the first twelve applicants (all
of one family name), every held task held by its department's first clerk or first
head (the ones the bench logs in as), one open case in 2 stuck and the others waiting
up to a day, so that about half are overdue whatever the weekday and the others due
within the week. Each measured page then has some 35 to 90 tasks to list, 25 to a page.

Due dates count calendar days from the real case's allowance (working days with
weekends, as calculated for the template case), which is close enough for the
inbox, which only compares them with now.
"""

import datetime
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction

HISTORY = datetime.timedelta(days=5 * 365)
CLERKS_PER_DEPARTMENT = 3
HEADS_PER_DEPARTMENT = 2
APPLICANTS = 500
DISTRICTS = 12  # a city's districts; each case is in one of them
DEPARTMENTS = ("dept-architecture", "dept-fire-safety", "dept-environment")  # the permit flow's, in the catalog
FIRST_NAMES = ("Aziza", "Bekzod", "Dilnoza", "Farrukh", "Gulnora", "Jamshid", "Kamola", "Lola", "Nodir",
               "Otabek", "Sardor", "Zarina")
FAMILY_NAMES = ("Karimova", "Rakhimov", "Usmonova", "Yusupov", "Abdullayeva", "Nazarov", "Ismoilova", "Saidov",
                "Qodirova", "Tursunov")

# Each step as (flow node, created, finished) in hours after submission; finished None: open.
# A decided case takes about eleven days.
DECIDED = (
    ("start", 0, 0), ("check_completeness", 0, 40), ("is_complete", 40, 40), ("reviews", 40, 40),
    ("review_architecture", 40, 150), ("review_fire_safety", 40, 170), ("review_environment", 40, 190),
    ("reviews_done", 150, 190), ("decision", 190, 260), ("issue_letter", 260, 260), ("end", 260, 260),
)
DECIDED_AFTER_HOURS = 260
REVIEWS = ("review_architecture", "review_fire_safety", "review_environment")


def _open_in_review(done_review):
    steps = [step for step in DECIDED[:4]]
    steps += [(node, 40, 41 if node == done_review else None) for node in REVIEWS]
    return (*steps, ("reviews_done", 41, None))


# shape -> (its steps, hours from submission to the open steps, case status, process data)
SHAPES = {
    "decided": (DECIDED, 0, "approved", None),
    "at_check": ((DECIDED[0], ("check_completeness", 0, None)), 0, "submitted", {}),
    **{f"in_review_{i}": (_open_in_review(review), 40, "in_review", {"complete": True})
       for i, review in enumerate(REVIEWS)},
    "decision": ((*DECIDED[:8], ("decision", 190, None)), 190, "awaiting_decision", {"complete": True}),
}
# the open shapes' mix, by case number modulo 5 (and which review is done, by case number / 5)
OPEN_TASKS_PER_OPEN_CASE = (1 + 1 + 2 + 2 + 1) / 5
TASKS_PER_OPEN_CASE = (2 + 2 + 8 + 8 + 9) / 5
SHAPE_OF_CASE = """CASE WHEN g <= %(decided)s THEN 'decided'
     WHEN g %% 5 IN (0, 1) THEN 'at_check'
     WHEN g %% 5 IN (2, 3) THEN 'in_review_' || (g / 5 %% 3)
     ELSE 'decision' END"""
# one open case in ``stuck_one_in`` is stuck for 1 to 16 weeks; the others wait 1 hour to ``waits_hours``
AGE_OF_CASE = """CASE WHEN g <= %(decided)s THEN interval '0'
     WHEN g / 7 %% %(stuck_one_in)s = 0 THEN interval '7 days' + (g * 7919 %% 2520) * interval '1 hour'
     ELSE interval '1 hour' + (g * 7919 %% (%(waits_hours)s - 1)) * interval '1 hour' END"""


@dataclass(frozen=True)
class Mix:
    """How a load spreads its open work (module docstring): ``CITY`` at scale, ``FULL_PAGES``
    where a thousand task rows must fill every page the bench measures."""

    open_share: float  #: open human tasks, as a share of all task rows
    districts: int  #: the cases spread over the first so many districts
    applicants: int  #: ... and the first so many applicants
    holders: int | None  #: held tasks are held by the first so many of a department's clerks (heads); None: all
    stuck_one_in: int  #: one open case in so many is stuck for weeks to months
    waits_hours: int  #: the others wait from an hour to so many hours


#: A city's five years: 3 % of the task rows open, everywhere, held by everyone.
CITY = Mix(open_share=0.03, districts=DISTRICTS, applicants=APPLICANTS, holders=None, stuck_one_in=20,
           waits_hours=7 * 24)
#: The measured department's full desk in a thousand task rows: every case open but one (no
#: history), all in one district, from the first twelve applicants (one family name), the held tasks
#: held by the first clerk and the first head of each department (the ones the bench logs in
#: as), and one open case in two stuck, so the overdue pages fill too.
FULL_PAGES = Mix(open_share=OPEN_TASKS_PER_OPEN_CASE / TASKS_PER_OPEN_CASE, districts=1,
                 applicants=len(FIRST_NAMES), holders=1, stuck_one_in=2,
                 waits_hours=24)


@dataclass
class Team:
    department_id: int
    clerks: list
    heads: list


@dataclass
class Staff:
    clerk: object  #: the clerk whose inbox is measured (architecture department)
    head: object  #: the head of that department, whose inbox is measured too
    teams: dict = field(default_factory=dict)  #: department code -> Team
    district_ids: list = field(default_factory=list)


@dataclass
class Template:
    """The real case every generated case copies."""

    process_id: int
    application_id: int
    task_ids: dict  #: flow node name -> task id


@dataclass
class Loaded:
    seconds: float
    cases: int
    tasks: int
    human_tasks: int
    open_tasks: int
    held_tasks: int
    overdue_tasks: int

    def describe(self):
        return (f"{self.tasks:,} tasks ({self.human_tasks:,} human; {self.open_tasks:,} open, of which "
                f"{self.held_tasks:,} held and {self.overdue_tasks:,} overdue) in {self.cases:,} cases, "
                f"loaded in {self.seconds:.1f} s")


# --- people and the template case --------------------------------------------------

def staff_and_applicants():
    """Clerks and heads for each department of the permit flow, a crowd of applicants, and the
    city's districts."""
    from accounts.models import Organisation, Role, User
    from permits.catalog import ensure_building_permit_service

    ensure_building_permit_service()
    teams = {
        department.code: Team(
            department_id=department.pk,
            clerks=[_staff_member(department, Role.CLERK, f"clerk-{i}") for i in range(CLERKS_PER_DEPARTMENT)],
            heads=[_staff_member(department, Role.SUPERVISOR, f"head-{i}") for i in range(HEADS_PER_DEPARTMENT)],
        )
        for department in Organisation.objects.filter(code__in=DEPARTMENTS)
    }
    User.objects.bulk_create([
        User(email=f"bench-applicant-{i}@bench.local", password="!", email_verified=True,
             full_name=f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {FAMILY_NAMES[i // len(FIRST_NAMES) % len(FAMILY_NAMES)]}")
        for i in range(APPLICANTS)
    ])
    districts = Organisation.objects.bulk_create([
        Organisation(code=f"bench-district-{i}", name=f"District {i}", kind=Organisation.Kind.DISTRICT)
        for i in range(1, DISTRICTS + 1)
    ])
    architecture = teams["dept-architecture"]
    return Staff(clerk=architecture.clerks[0], head=architecture.heads[0], teams=teams,
                 district_ids=[district.pk for district in districts])


def _staff_member(department, role, name):
    from accounts.models import Membership, User

    user = User.objects.create(email=f"bench-{department.code}-{name}@bench.local", password="!",
                               full_name=f"{department.code} {name}", email_verified=True)
    Membership.objects.create(user=user, organisation=department, role=role)
    return user


def template_case(staff):
    """One permit taken through the services from submission to the permit letter."""
    from accounts.models import User
    from tests import cases

    people = SimpleNamespace(clerk=staff.clerk, supervisor=staff.head,
                             fire=staff.teams["dept-fire-safety"].clerks[0],
                             environment=staff.teams["dept-environment"].clerks[0])
    applicant = User.objects.get(email="bench-applicant-0@bench.local")
    application = cases.approved(applicant, people)
    tasks = application.process.task_set.all()
    return Template(process_id=application.process_id, application_id=application.pk,
                    task_ids={task.flow_task.name: task.pk for task in tasks})


# --- generation ----------------------------------------------------------------------

def case_counts(total_tasks, mix=CITY):
    """(decided cases, open cases) that make about ``total_tasks`` task rows with the mix's open
    share, or as near it as leaves one case decided."""
    open_cases = min(round(mix.open_share * total_tasks / OPEN_TASKS_PER_OPEN_CASE),
                     int((total_tasks - len(DECIDED)) / TASKS_PER_OPEN_CASE))
    open_cases = max(5, open_cases)
    decided = max(1, round((total_tasks - TASKS_PER_OPEN_CASE * open_cases) / len(DECIDED)))
    return decided, open_cases


def load(*, total_tasks, staff, template, mix=CITY):
    """Add about ``total_tasks`` tasks (with their cases and clocks), spread as ``mix`` says, in
    one transaction, then VACUUM ANALYZE, as a database in use would have been. Returns what
    was loaded."""
    from viewflow.workflow.models import Process, Task

    from eservices.models import Application
    from workflows import open_tasks

    decided, open_cases = case_counts(total_tasks, mix)
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        params = {
            "decided": decided, "cases": decided + open_cases, "stride": len(DECIDED),
            "spacing": (HISTORY - datetime.timedelta(days=30)).total_seconds() / decided,
            "decided_after": DECIDED_AFTER_HOURS, "split_ord": _ord("reviews"),
            "p0": _max_id(cursor, Process), "a0": _max_id(cursor, Application), "t0": _max_id(cursor, Task),
            "stuck_one_in": mix.stuck_one_in, "waits_hours": mix.waits_hours,
        }
        _scratch_tables(cursor, params, staff, template, mix)
        _insert_processes(cursor, params, template)
        _insert_applications(cursor, params, template)
        _insert_tasks(cursor, params)
        _insert_task_clocks(cursor, params)
        _insert_case_clocks(cursor, params, template)
        open_tasks.rebuild()  # what an operator runs after a bulk load: manage.py rebuild_inbox
        for model in (Process, Application, Task):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cursor:
        # The whole database, the people and organisations too: autovacuum would long have seen them.
        cursor.execute("VACUUM ANALYZE")
    return _loaded(time.perf_counter() - began)


def clear(template):
    """Remove every generated case (everything newer than the template case)."""
    from viewflow.workflow.models import Process, Task

    from eservices.models import Application
    from workflows.models import CaseClock, OpenTask, TaskClock

    last_task = max(template.task_ids.values())
    with transaction.atomic(), connection.cursor() as cursor:
        for model, column, last in ((OpenTask, "task_id", last_task), (TaskClock, "task_id", last_task), (CaseClock, "process_id", template.process_id),
                                    (Application, "id", template.application_id), (Task, "id", last_task),
                                    (Process, "id", template.process_id)):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE {column} > %s", [last])


def _ord(node):
    return next(i for i, (name, _created, _finished) in enumerate(DECIDED, start=1) if name == node)


def _max_id(cursor, model):
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {model._meta.db_table}")
    return cursor.fetchone()[0]


def _scratch_tables(cursor, params, staff, template, mix):
    """The plan of the load, as temporary tables: cases, their steps, staff (those who hold
    tasks: ``holders`` of a team), applicants and districts (those the mix spreads over)."""
    from accounts.models import User

    cursor.execute("CREATE TEMP TABLE bench_shape (shape text PRIMARY KEY, frontier_h int, case_status text, "
                   "process_data jsonb) ON COMMIT DROP")
    cursor.executemany("INSERT INTO bench_shape VALUES (%s, %s, %s, %s)", [
        (shape, frontier, status, None if data is None else _json(data))
        for shape, (_steps, frontier, status, data) in SHAPES.items()
    ])
    cursor.execute("CREATE TEMP TABLE bench_step (shape text, ord int, template_id bigint, created_h int, "
                   "finished_h int, PRIMARY KEY (shape, ord)) ON COMMIT DROP")
    cursor.executemany("INSERT INTO bench_step VALUES (%s, %s, %s, %s, %s)", [
        (shape, _ord(node), template.task_ids[node], created, finished)
        for shape, (steps, *_rest) in SHAPES.items() for node, created, finished in steps
    ])
    cursor.execute(f"""
        CREATE TEMP TABLE bench_case ON COMMIT DROP AS
        SELECT g, shape, age,
               CASE WHEN shape = 'decided'
                    THEN now() - interval '{HISTORY.days} days' + (g - 1) * %(spacing)s * interval '1 second'
                    ELSE now() - age - frontier_h * interval '1 hour' END AS created
        FROM (SELECT g, {SHAPE_OF_CASE} AS shape, {AGE_OF_CASE} AS age
              FROM generate_series(1, %(cases)s) g) c
        JOIN bench_shape USING (shape)""", params)
    cursor.execute("ALTER TABLE bench_case ADD PRIMARY KEY (g)")
    cursor.execute("CREATE TEMP TABLE bench_staff (department text, head boolean, n int, holders int, "
                   "user_id bigint) ON COMMIT DROP")
    cursor.executemany("INSERT INTO bench_staff VALUES (%s, %s, %s, %s, %s)", [
        (str(team.department_id), head, n, min(len(members), mix.holders or len(members)), user.pk)
        for team in staff.teams.values()
        for head, members in ((False, team.clerks), (True, team.heads)) for n, user in enumerate(members)
    ])
    applicants = list(User.objects.filter(email__startswith="bench-applicant-").order_by("id")
                      .values_list("id", flat=True))[:mix.applicants]
    cursor.execute("CREATE TEMP TABLE bench_applicant (n int PRIMARY KEY, user_id bigint) ON COMMIT DROP")
    cursor.executemany("INSERT INTO bench_applicant VALUES (%s, %s)", list(enumerate(applicants)))
    params["applicants"] = len(applicants)
    cursor.execute("CREATE TEMP TABLE bench_district (n int PRIMARY KEY, organisation_id bigint) ON COMMIT DROP")
    districts = staff.district_ids[:mix.districts]
    cursor.executemany("INSERT INTO bench_district VALUES (%s, %s)", list(enumerate(districts)))
    params["districts"] = len(districts)


def _json(value):
    import json

    return json.dumps(value)


def _insert(cursor, model, overrides, source, params):
    """``INSERT INTO <model's table> SELECT …``: each column from ``overrides`` if named
    there, else the template row's (``tpl``) column."""
    columns = [f.column for f in model._meta.concrete_fields]
    unknown = set(overrides) - set(columns)
    if unknown:
        raise RuntimeError(f"{model._meta.db_table} has no column(s) {', '.join(sorted(unknown))}.")
    quote = connection.ops.quote_name
    select = ",\n  ".join(overrides.get(column, f"tpl.{quote(column)}") for column in columns)
    cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})\n"
                   f"SELECT {select}\n{source}", params)


def _insert_processes(cursor, params, template):
    from viewflow.workflow.models import Process

    _insert(cursor, Process, {
        "id": "%(p0)s + c.g",
        "status": "CASE WHEN c.shape = 'decided' THEN 'DONE' ELSE 'NEW' END",
        "created": "c.created",
        "finished": "CASE WHEN c.shape = 'decided' THEN c.created + %(decided_after)s * interval '1 hour' END",
        "artifact_object_id": "%(a0)s + c.g",
        "data": "coalesce(s.process_data, tpl.data)",
    }, f"FROM bench_case c JOIN bench_shape s USING (shape) JOIN viewflow_process tpl ON tpl.id = {template.process_id}",
        params)


def _insert_applications(cursor, params, template):
    """One application per case; references continue each year's series after the last one taken."""
    from eservices.models import Application

    _insert(cursor, Application, {
        "id": "%(a0)s + c.g",
        "reference": "c.series || '-' || c.year || '-' || lpad((c.last_taken + c.nth)::text, 6, '0')",
        "status": "s.case_status",
        "created": "c.created - interval '20 minutes'",
        "submitted_at": "c.created",
        "decided_at": "CASE WHEN c.shape = 'decided' THEN c.created + %(decided_after)s * interval '1 hour' END",
        "applicant_id": "a.user_id",
        "district_id": "d.organisation_id",
        "process_id": "%(p0)s + c.g",
    }, f"""FROM (
            SELECT bc.*, t.series, extract(year FROM bc.created)::int AS year,
                   row_number() OVER (PARTITION BY extract(year FROM bc.created) ORDER BY bc.g) AS nth,
                   coalesce(taken.last, 0) AS last_taken
            FROM bench_case bc
            CROSS JOIN (SELECT split_part(reference, '-', 1) AS series
                        FROM eservices_application WHERE id = {template.application_id}) t
            LEFT JOIN (SELECT split_part(reference, '-', 1) AS series, split_part(reference, '-', 2)::int AS year,
                              max(split_part(reference, '-', 3)::int) AS last
                       FROM eservices_application WHERE reference IS NOT NULL GROUP BY 1, 2) taken
              ON taken.series = t.series AND taken.year = extract(year FROM bc.created)::int
        ) c
        JOIN bench_shape s USING (shape)
        JOIN bench_applicant a ON a.n = c.g %% %(applicants)s
        JOIN bench_district d ON d.n = (hashint4(c.g) & 65535) %% %(districts)s
        JOIN eservices_application tpl ON tpl.id = {template.application_id}""", params)


def _insert_tasks(cursor, params):
    """Each case's steps. An open human step is held (ASSIGNED) for 2 tasks in 5, by one of its
    department's clerks (heads for the head's steps) who hold tasks; a finished one was done by
    one of them."""
    from viewflow.workflow.models import Task

    from workflows.flows import SUPERVISOR_TASK

    params["head_permission"] = SUPERVISOR_TASK
    done, held = "x.finished_h IS NOT NULL", "(x.finished_h IS NULL AND (hashint8(x.id) & 65535) %% 5 < 2)"
    human = "tpl.flow_task_type = 'HUMAN'"
    _insert(cursor, Task, {
        "id": "x.id",
        "status": f"CASE WHEN {done} THEN 'DONE' WHEN NOT {human} THEN 'STARTED' "
                  f"WHEN {held} THEN 'ASSIGNED' ELSE 'NEW' END",
        "created": "x.created",
        "assigned": f"CASE WHEN {human} AND {done} THEN x.created + (x.finished - x.created) / 3 "
                    f"WHEN {human} AND {held} THEN x.created + x.age / 2 END",
        "started": "CASE WHEN tpl.started IS NOT NULL THEN coalesce(x.finished, x.created) END",
        "finished": "x.finished",
        "owner_id": f"CASE WHEN {human} AND ({done} OR {held}) THEN st.user_id END",
        "token": "regexp_replace(tpl.token, '/[0-9]+_', '/' || (x.id - x.ord + %(split_ord)s) || '_')",
        "data": f"CASE WHEN {done} THEN tpl.data ELSE '{{}}'::jsonb END",
        "process_id": "%(p0)s + x.g",
    }, """FROM (
            SELECT c.g, c.age, s.ord, s.template_id, s.finished_h,
                   %(t0)s + (c.g - 1) * %(stride)s + s.ord AS id,
                   c.created + s.created_h * interval '1 hour' AS created,
                   c.created + s.finished_h * interval '1 hour' AS finished
            FROM bench_case c JOIN bench_step s USING (shape)
        ) x
        JOIN viewflow_task tpl ON tpl.id = x.template_id
        LEFT JOIN bench_staff st ON st.department = tpl.owner_permission_obj_pk
             AND st.head = (tpl.owner_permission = %(head_permission)s) AND st.n = ((hashint8(x.id) >> 16) & 65535) %% st.holders""", params)


def _insert_task_clocks(cursor, params):
    """A clock for each human task, due as long after its start as the template's was; reminders
    and escalations marked as fired once their time passed while the task was open."""
    from workflows.models import TaskClock

    _insert(cursor, TaskClock, {
        "task_id": "x.id",
        "process_id": "x.process_id",
        "due_at": "x.due_at",
        "remind_at": "x.remind_at",
        "reminded_at": "CASE WHEN x.remind_at < coalesce(x.finished, now()) THEN x.remind_at END",
        "escalated_at": "CASE WHEN x.due_at < coalesce(x.finished, now()) THEN x.due_at END",
        "finished_at": "x.finished",
    }, """FROM (
            SELECT vt.id, vt.process_id, vt.finished, s.template_id,
                   vt.created + (clock.due_at - tt.created) AS due_at,
                   vt.created + (clock.remind_at - tt.created) AS remind_at
            FROM viewflow_task vt
            JOIN bench_case c ON c.g = (vt.id - %(t0)s - 1) / %(stride)s + 1
            JOIN bench_step s ON s.shape = c.shape AND s.ord = (vt.id - %(t0)s - 1) %% %(stride)s + 1
            JOIN viewflow_task tt ON tt.id = s.template_id
            JOIN workflows_taskclock clock ON clock.task_id = s.template_id
            WHERE vt.id > %(t0)s AND vt.id <= %(t0)s + %(cases)s * %(stride)s
        ) x
        JOIN workflows_taskclock tpl ON tpl.task_id = x.template_id""", params)


def _insert_case_clocks(cursor, params, template):
    from workflows.models import CaseClock

    _insert(cursor, CaseClock, {
        "process_id": "%(p0)s + c.g",
        "started_at": "c.created",
        "due_at": "c.created + (tpl.due_at - tpl.started_at)",
        "stopped_at": "CASE WHEN c.shape = 'decided' THEN c.created + %(decided_after)s * interval '1 hour' END",
    }, f"FROM bench_case c JOIN workflows_caseclock tpl ON tpl.process_id = {template.process_id}", params)


def _loaded(seconds):
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT (SELECT count(*) FROM viewflow_process),
                   count(*), count(*) FILTER (WHERE flow_task_type = 'HUMAN'),
                   count(*) FILTER (WHERE flow_task_type = 'HUMAN' AND status IN ('NEW', 'ASSIGNED', 'STARTED')),
                   count(*) FILTER (WHERE flow_task_type = 'HUMAN' AND status IN ('ASSIGNED', 'STARTED'))
            FROM viewflow_task""")
        cases, tasks, human, open_tasks, held = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM workflows_taskclock WHERE finished_at IS NULL AND due_at < now()")
        overdue = cursor.fetchone()[0]
    return Loaded(seconds=seconds, cases=cases, tasks=tasks, human_tasks=human, open_tasks=open_tasks,
                  held_tasks=held, overdue_tasks=overdue)
