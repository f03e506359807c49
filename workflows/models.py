"""The engine keeps viewflow's Process and Task tables (see flows.py) and adds
what a municipality needs around them: holiday calendars and SLA clocks."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from accounts.models import Organisation
from core.history import History

from .sla import Clock, clock_state


class Holiday(models.Model):
    """A non-working day in an organisation's calendar (and every organisation below it)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200, blank=True)

    history = History()

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["organisation", "date"], name="holiday_unique_day")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class CaseClock(models.Model):
    """The legal deadline of a whole case. It stands still while the case waits
    on the applicant: the working time left is kept, and the due date is set again
    from it when the case comes back."""

    process = models.OneToOneField(Process, on_delete=models.CASCADE, primary_key=True, related_name="case_clock")
    calendar = models.ForeignKey(Organisation, verbose_name=_("calendar"), null=True, on_delete=models.PROTECT)
    allowed = models.DurationField(_("working time allowed"))
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    remaining_when_paused = models.DurationField(null=True, blank=True)
    paused_total = models.DurationField(_("working time paused"), default=datetime.timedelta)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("case clock")
        verbose_name_plural = _("case clocks")

    def __str__(self):
        return f"{self.process_id}: {self.state}"

    @property
    def state(self):
        if self.stopped_at:
            return Clock.STOPPED
        if self.paused_at:
            return Clock.PAUSED
        return clock_state(self.due_at, allowed=self.allowed)

    @property
    def state_label(self):
        return Clock.LABELS.get(self.state, "")

    def remaining(self, calendar, now=None):
        """Working time left (negative when overdue); None once stopped."""
        if self.stopped_at:
            return None
        if self.paused_at:
            return self.remaining_when_paused
        return calendar.between(now or timezone.now(), self.due_at)


class TaskClock(models.Model):
    """The SLA clock of one human task, and the timers hanging off it."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="sla_clock")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="task_clocks")
    allowed = models.DurationField(_("working time allowed"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    remind_at = models.DateTimeField(_("reminder due"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("task clock")
        verbose_name_plural = _("task clocks")
        indexes = [
            models.Index(fields=["remind_at"], condition=models.Q(reminded_at__isnull=True, finished_at__isnull=True),
                         name="taskclock_reminder_due"),
            models.Index(fields=["due_at"], condition=models.Q(escalated_at__isnull=True, finished_at__isnull=True),
                         name="taskclock_escalation_due"),
            models.Index(fields=["due_at"], condition=models.Q(finished_at__isnull=True), name="taskclock_open_due"),
        ]

    def __str__(self):
        return f"{self.task_id}: {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def state(self):
        if self.finished_at:
            return Clock.STOPPED
        return clock_state(self.due_at, allowed=self.allowed)

    @property
    def on_time(self):
        """Finished within its deadline (None while open)."""
        return None if self.finished_at is None else self.finished_at <= self.due_at


class DelegationQuerySet(models.QuerySet):
    def active(self, today=None):
        """Delegations in force on ``today`` (the municipality's date)."""
        today = today or timezone.localdate()
        return self.filter(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)


class Delegation(models.Model):
    """While a staff member is away, a colleague stands in: the substitute sees
    the tasks the absent person holds among their own and may work them."""

    absent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("absent"), on_delete=models.PROTECT,
                               related_name="delegations_given")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("substitute"), on_delete=models.PROTECT,
                                   related_name="delegations_received")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = DelegationQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="delegation_period"),
            models.CheckConstraint(condition=~models.Q(absent=models.F("substitute")), name="delegation_not_self"),
        ]
        indexes = [models.Index(fields=["substitute", "ends_on"], condition=models.Q(revoked_at__isnull=True),
                                name="delegation_in_force")]

    def __str__(self):
        return f"{self.absent} → {self.substitute} ({self.starts_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d})"


class FlowVersion(models.Model):
    """A flow version as deployed: the shape of its graph when ``migrate`` first
    saw it. A later deployment whose graph differs while cases still run on it
    is refused (workflows.versions)."""

    label = models.CharField(_("flow"), max_length=150, unique=True)
    version = models.PositiveSmallIntegerField(_("version"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    deployed_at = models.DateTimeField(_("deployed"))
    changed_at = models.DateTimeField(_("last changed"), null=True, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("flow version")
        verbose_name_plural = _("flow versions")

    def __str__(self):
        return f"{self.label} v{self.version}"


class OpenTask(models.Model):
    """The inbox's own row for one open human task: what its tabs, filters and
    sorts read, copied from the task, its SLA clock and its case
    (workflows.open_tasks keeps it in step and deletes it when the task is done
    or cancelled). Viewflow's task table keeps every task ever worked; this one
    holds only the work still waiting, so an inbox page costs the same however
    long the history grows."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="open_entry")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="+")
    department_id = models.BigIntegerField(_("department"), null=True, blank=True)
    heads_only = models.BooleanField(_("for heads of department"), default=False)
    status = models.CharField(_("status"), max_length=50)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("holder"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("created"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    service = models.CharField(_("service"), max_length=64, blank=True)
    district_id = models.BigIntegerField(_("district"), null=True, blank=True)
    reference = models.CharField(_("reference number"), max_length=64, blank=True)
    applicant = models.CharField(_("applicant"), max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    search = models.TextField(_("search text"), blank=True, help_text=_("Reference and applicant, in capitals."))

    class Meta:
        verbose_name = _("open task")
        verbose_name_plural = _("open tasks")
        indexes = [
            models.Index(fields=["department_id", "created", "task"], name="opentask_department",
                         include=["status", "heads_only", "due_at", "district_id"]),
            models.Index(fields=["department_id", "due_at", "created", "task"], name="opentask_department_due"),
            # One district's tasks of a department, listed and counted without reading the others'.
            models.Index(fields=["department_id", "district_id", "created", "task"], name="opentask_district",
                         include=["status", "heads_only"]),
            models.Index(fields=["owner", "created", "task"], name="opentask_holder"),
        ]

    def __str__(self):
        return f"{self.task_id} ({self.status})"
