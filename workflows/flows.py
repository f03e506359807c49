"""The engine's base for every e-service flow.

A domain app writes ``class XFlow(CaseFlow, flow.Flow)`` in ``<app>/flows.py``.
The engine never imports domain code: it learns a flow's task forms, deadlines
and case summary from these class attributes, and finds the case a process
serves through viewflow's ``process.artifact``.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.models import Task
from viewflow.workflow.nodes.start import StartHandleActivation
from viewflow.workflow.signals import flow_started, task_started
from viewflow.workflow.status import STATUS

from accounts.models import WORKING_ROLES, Organisation

from .locks import ProcessRowLock

HUMAN = "HUMAN"  # viewflow's flow_task_type of a step people work
OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
HELD_STATUSES = (STATUS.ASSIGNED, STATUS.STARTED)

STAFF_TASK = "munis.staff"
SUPERVISOR_TASK = "munis.supervisor"


def department_task(resolve_organisation, *, supervisor_only=False):
    """``.Permission(**department_task(fn))`` routes a human task to the
    organisation ``fn(process)`` returns (a department, a supplier, a ministry,
    a district, a mahalla): whoever works its queue by ``WORKING_ROLES`` (or,
    for ``supervisor_only``, its heads) sees it in their queue. An organisation
    whose kind has nobody working tasks is refused, not left waiting."""

    def resolve(process):
        organisation = resolve_organisation(process)
        if organisation.kind not in WORKING_ROLES:
            raise ImproperlyConfigured(f"A task is routed to {organisation.code} ({organisation.kind}), but nobody "
                                       f"works tasks of a {organisation.kind} (accounts.models.WORKING_ROLES).")
        return organisation

    return {"permission": SUPERVISOR_TASK if supervisor_only else STAFF_TASK, "obj": resolve}


def no_url_view(request, **kwargs):
    """The view of every human step. Viewflow wants one per step; Munis serves its
    own task pages (workflows.views) and never mounts viewflow's URLs."""
    raise Http404


class CaseStartActivation(StartHandleActivation):
    """Viewflow's start of a process, minus the savepoint around it. A case starts inside
    its service's transaction (submitting is one atomic write: the case, its documents,
    its process, its number, its audit), which is rolled back whole when anything in it
    fails, so the savepoint only cost two round trips on every submission."""

    @Activation.status.transition(source=STATUS.NEW)
    def execute(self):
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        with transaction.atomic(savepoint=False):
            self.process.save()
            with self.flow_class.lock(self.process.pk):
                self.complete()
                flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
                self.activate_next()


def case_start(func):
    """The start of a case flow: ``start = case_start(this.start_case)``. A viewflow
    ``StartHandle`` (so the flow's BPMN and its version fingerprint are unchanged) that
    starts without a savepoint (CaseStartActivation)."""
    node = flow.StartHandle(func)
    node.activation_class = CaseStartActivation
    return node


class CaseFlow:
    #: Flow versions. A flow class, once cases run on it, is never edited: the
    #: next version is a new class with ``version = n + 1`` and ``supersedes =
    #: <the previous class>``. New cases start on the newest version; running
    #: cases finish on the one they started on (their process names its class),
    #: or are moved by ``manage.py migrate_cases``. ``manage.py migrate``
    #: refuses a changed flow that still has open cases (workflows.versions).
    version = 1
    supersedes = None

    # Row lock on the process (SELECT ... FOR UPDATE, waiting rather than
    # failing): claim, complete and joins never interleave on PostgreSQL.
    lock_impl = ProcessRowLock()

    #: node name -> workflows.sla.Sla: deadline, reminder, what happens when it runs out
    task_sla: dict = {}
    #: node name -> (form class, handler(*, task, actor, data)); ``data`` is the
    #: bound form's ``cleaned_data``, uploaded files included under their field names
    task_forms: dict = {}
    #: node name -> the status code its case has while that step is open; when
    #: several steps are open, the first in this order wins (``case_status``)
    case_statuses: dict = {}
    #: the steps that decide the case: once one of them is done, its person can no longer
    #: withdraw it (``decided``), even while the letter that tells the decision is still on its way
    decision_steps: tuple = ()
    #: what happens to a case after it is submitted, told to its person step by step: ``(status code the
    #: case has while that happens, sentence)``, in order (``next_steps``)
    applicant_journey: tuple = ()
    #: status code -> label, for the statuses this flow's cases take (those in
    #: ``case_statuses`` and any outcome the flow's services set)
    status_labels: dict = {}
    #: status code -> the colour of its status tag (a GOV.UK Frontend tag colour: grey, green, turquoise, blue,
    #: light-blue, purple, pink, red, orange, yellow), for statuses the case's app does not colour itself
    status_colours: dict = {}
    #: template showing the case on a staff task page (context: case, task)
    case_template = "workflows/case_summary.html"
    #: node name -> (template, reader(task) -> context): what the person working that step reads on its task
    #: page before they do it, above its form (the head who decides a permit reads the reviews)
    task_panels: dict = {}
    #: How the inbox reaches the case a process serves, as lookups from the
    #: process: ``reference`` and ``applicant`` (shown and searched), ``submitted``
    #: (when the case was filed, shown), ``service`` (a service code) and
    #: ``district`` (an organisation id) (filtered). A flow leaves out what its
    #: cases don't have; the engine never names a domain model itself.
    case_lookups: dict = {}

    def case_deadline(self, process):
        """``(working time allowed, calendar organisation id)`` of the case a
        process serves, or None when the case has no legal deadline."""
        return None

    def case_services(self):
        """``{service code: name}`` of the services whose cases run on this flow
        (the inbox's service filter)."""
        return {}

    def task_expired(self, task):
        """Called by the timers for a step whose Sla says ``on_overdue="expire"``."""
        raise NotImplementedError(f"{type(self).__name__} has no automatic step for an expired {task.flow_task.name}.")

    def task_form(self, task):
        return self.task_forms.get(task.flow_task.name)

    def task_initial(self, task):
        """The initial values of the step's form (``task_forms``): what the person working it starts from (a
        moderator, the category the system suggests)."""
        return {}

    def task_sla_for(self, task):
        """The step's Sla for this case: ``task_sla``'s, unless the flow's cases set their own (a problem report's
        category says how long its supplier has)."""
        return self.task_sla.get(task.flow_task.name)

    def task_panel(self, task):
        """``(template, context)`` of the step's panel (``task_panels``), or None."""
        spec = self.task_panels.get(task.flow_task.name)
        if spec is None:
            return None
        template, reader = spec
        return template, reader(task)

    def case_status(self, process):
        """The status code of the case from the open steps of its process
        (``case_statuses``), or None when no declared step is open."""
        if not self.case_statuses:
            return None
        open_names = {task.flow_task.name
                      for task in Task.objects.filter(process=process, status__in=OPEN_STATUSES).only("flow_task")}
        for step, status in self.case_statuses.items():
            if step in open_names:
                return status
        return None

    def next_steps(self, status):
        """The sentences of ``applicant_journey`` from the step a case in ``status`` is at; all of them
        for a status the journey does not name (the case went back to its person, and comes round again)."""
        codes = [code for code, _sentence in self.applicant_journey]
        start = codes.index(status) if status in codes else 0
        return [sentence for _code, sentence in self.applicant_journey[start:]]

    def decided(self, process):
        """Whether a step of ``decision_steps`` has been done in the process."""
        steps = [getattr(self, name) for name in self.decision_steps]
        return bool(steps) and Task.objects.filter(process=process, flow_task__in=steps, status=STATUS.DONE).exists()

    @classmethod
    def status_label(cls, code):
        """A status of this flow's cases in words; None when the flow does not name it."""
        return cls.status_labels.get(code)


def case_of(task):
    """The case a task works on (the process's artifact; the process itself for a flow without one)."""
    return task.process.artifact or task.process


def task_label(task):
    """How audit rows and e-mails name a task: its case and its step."""
    return f"{case_of(task)} — {task.flow_task.task_title or task.flow_task.name}"


def incident_error(task):
    """The error a failed automatic step stopped with, as viewflow recorded it."""
    return (task.data or {}).get("_exception", {}).get("title", "")


def organisation_content_type():
    return ContentType.objects.get_for_model(Organisation)
