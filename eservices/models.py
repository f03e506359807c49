from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from accounts.models import Organisation
from core.errors import InvalidTransition
from core.history import History


def validate_json_schema(value):
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as exc:
        raise ValidationError(_("Not a valid JSON Schema: %(error)s") % {"error": exc.message}) from exc
    if value.get("type") != "object":
        raise ValidationError(_("The form definition must describe an object."))


def flow_choices():
    """Every registered flow (workflows.registry) by its label: a service names
    any installed app's flow, and a new flow needs no migration here."""
    from workflows.registry import all_flows

    return [(label, f"{flow_class.process_title} ({label})") for label, flow_class in all_flows().items()]


def validate_flow_label(value):
    from workflows.registry import UnknownFlow, get_flow

    try:
        get_flow(value)
    except UnknownFlow as exc:
        raise ValidationError(str(exc), code="unknown_flow") from exc


def human_steps_of_flows(labels):
    """The steps people work in every version of each of these flows (workflows.registry.human_steps); a label
    no registered flow has adds none (its service version says so when edited: ``validate_flow_label``)."""
    from workflows.registry import UnknownFlow, human_steps

    steps = set()
    for label in labels:
        try:
            steps |= human_steps(label)
        except UnknownFlow:
            continue
    return steps


class ServiceType(models.Model):
    """A catalog entry's identity: what stays the same from one version to the
    next. Routing, the owning department and so who works and sees its cases
    hang off the service type, so publishing a new version needs no new grant.
    What a citizen fills in and attaches lives on its versions."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    reference_series = models.CharField(
        _("reference series"), max_length=6, help_text=_("Prefix of reference numbers, e.g. BP")
    )
    department = models.ForeignKey(
        Organisation, verbose_name=_("owning department"), on_delete=models.PROTECT, related_name="service_types",
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )

    history = History()

    class Meta:
        ordering = ["code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")

    def __str__(self):
        return self.code

    def flow_steps(self):
        """The steps people work in the flows its cases run on (``human_steps_of_flows`` of its versions' flows):
        what a routing rule may name. Empty while it has no version on a known flow."""
        return human_steps_of_flows(set(ServiceVersion.objects.filter(service_type_id=self.pk)
                                        .values_list("flow", flat=True)))

    def route_department_ids(self):
        """{flow step: department id} of this service's routing rules, read
        once per instance (a parallel split routes several steps at once)."""
        if not hasattr(self, "_route_department_ids"):
            self._route_department_ids = dict(self.task_routes.values_list("task", "department_id"))
        return self._route_department_ids


class ServiceVersion(models.Model):
    """What a service asks for during a time: form, documents, fee, deadline,
    flow. A draft is edited; publishing freezes it (and retires the version
    published before it); a case keeps the version it was filed under."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service type"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True,
                                      help_text=_("Empty: from the moment it is published."))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True,
                                       help_text=_("Empty: until a newer version is published."))
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    form_schema = models.JSONField(
        _("form definition"), default=dict, validators=[validate_json_schema],
        help_text=_("JSON Schema of the application form; validated on the server."),
    )
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=0)
    deadline_days = models.PositiveSmallIntegerField(_("legal deadline (working days)"), default=30)
    appeal_days = models.PositiveSmallIntegerField(
        _("appeal period (calendar days)"), default=30,
        help_text=_("How long after the date of a refusal its applicant may appeal, counting every day. The refusal "
                    "letter gives the last day."))
    appeal_body = models.CharField(
        _("appeals are heard by"), max_length=300, blank=True,
        help_text=_("Who decides an appeal against a refusal, as the letter names them, e.g. “The Hokim (head) of "
                    "the city”. Empty: the municipality."))
    appeal_address = models.TextField(
        _("where to send an appeal"), blank=True,
        help_text=_("Their postal address, reception office, e-mail or web address, as the refusal letter prints it."))
    flow = models.CharField(_("flow"), max_length=150, choices=flow_choices, validators=[validate_flow_label],
                            help_text=_("The registered flow the service's cases run on, by its label."))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    # history is registered in translation.py, after the translated fields exist

    #: what may still change once a version has left the draft state (retiring it)
    CHANGEABLE_WHEN_FROZEN = ("status", "valid_until")

    class Meta:
        ordering = ["service_type", "-number"]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")
        constraints = [
            models.UniqueConstraint(fields=["service_type", "number"], name="service_version_unique_number"),
            models.UniqueConstraint(fields=["service_type"], condition=models.Q(status="published"),
                                    name="service_version_one_published"),
            models.UniqueConstraint(fields=["service_type"], condition=models.Q(status="draft"),
                                    name="service_version_one_draft"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gt=models.F("valid_from")),
                name="service_version_valid_window",
            ),
            models.CheckConstraint(condition=~models.Q(status="published") | models.Q(valid_from__isnull=False),
                                   name="service_version_published_has_start"),
        ]

    def __str__(self):
        return _("%(name)s, version %(number)s") % {"name": self.name, "number": self.number}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self._refuse_frozen_changes()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise VersionFrozen()
        return super().delete(*args, **kwargs)

    @property
    def flow_class(self):
        """The version of the flow new cases of this service start on (a newer
        flow version supersedes the one named here without a new service version)."""
        from workflows.registry import get_flow, newest_version

        return newest_version(get_flow(self.flow))

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def in_force(self, at):
        """Published, and ``at`` lies within the validity window."""
        return (self.status == self.Status.PUBLISHED and self.valid_from is not None and self.valid_from <= at
                and (self.valid_until is None or at < self.valid_until))

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end of the validity must come after its start.")})

    def _refuse_frozen_changes(self):
        """A published or retired version is what its cases were filed under:
        only retiring it (status, end of validity) may still change it."""
        frozen = [f.attname for f in self._meta.concrete_fields
                  if f.attname not in ("id", "name", "description", *self.CHANGEABLE_WHEN_FROZEN)]
        stored = type(self).objects.filter(pk=self.pk).values("status", *frozen).first()
        if stored is None or stored["status"] == self.Status.DRAFT:
            return
        changed = [name for name in frozen if getattr(self, name) != stored[name]]
        reopened = self.status != stored["status"] and self.status != self.Status.RETIRED
        if changed or reopened:
            raise VersionFrozen()


class VersionFrozen(InvalidTransition):
    code = "version_frozen"
    default_message = _("A published or retired version cannot be changed. Create a new draft from it instead.")


class RequiredDocument(models.Model):
    version = models.ForeignKey(ServiceVersion, on_delete=models.CASCADE, related_name="required_documents")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    mandatory = models.BooleanField(_("mandatory"), default=True)
    document_class = models.ForeignKey(
        "documents.DocumentClass", verbose_name=_("document class"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("How the uploaded document is kept; empty: as an application document."))

    # history is registered in translation.py, after the translated fields exist

    class Meta:
        ordering = ["id"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="required_document_unique_code")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self._refuse_unless_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_unless_draft()
        return super().delete(*args, **kwargs)

    def _refuse_unless_draft(self):
        if ServiceVersion.objects.filter(pk=self.version_id).exclude(status=ServiceVersion.Status.DRAFT).exists():
            raise VersionFrozen()


class TaskRoute(models.Model):
    """Which department works a given step of a service's flow."""

    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="task_routes")
    task = models.CharField(_("flow step"), max_length=50)
    department = models.ForeignKey(Organisation, verbose_name=_("department"), on_delete=models.PROTECT)

    history = History()

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [models.UniqueConstraint(fields=["service_type", "task"], name="task_route_unique_step")]

    def __str__(self):
        return f"{self.service_type} · {self.task} → {self.department}"

    def clean(self):
        """A step no flow of the service has would route nothing, silently: its cases would go to the owning
        department. Not checked while the service has no version on a known flow (nothing to check against)."""
        if self.service_type_id is None:
            return
        steps = self.service_type.flow_steps()
        if steps and self.task not in steps:
            raise ValidationError({"task": ValidationError(
                _("The flows of %(service)s have no step “%(step)s” that people work. Their steps: %(steps)s."),
                code="unknown_step",
                params={"service": self.service_type, "step": self.task, "steps": ", ".join(sorted(steps))})})


def application_statuses():
    """Every status an application can have: the generic ones and those the
    registered flows declare (a callable, so a new flow needs no migration)."""
    from workflows.registry import all_flows

    choices = dict(Application.Status.choices)
    for flow_class in all_flows().values():
        for code, label in flow_class.status_labels.items():
            choices.setdefault(code, label)
    return list(choices.items())


#: the place of the case's documents where its decision letter is issued (documents.issuing)
DECISION_LETTER_PLACE = "decision_letter"


#: how a draft is named to its applicant (and how the audit rows of a draft recorded it: eservices.audit)
DRAFT_LABEL = _("Draft #%(pk)s")


class Application(models.Model):
    """A citizen's case for one service type. ``service_type`` is the service
    (who works and sees the case, its reference series); ``service_version``
    what the case was filed under (form, documents, deadline, flow)."""

    class Status(models.TextChoices):
        """Where any application stands, whatever its service. While its flow
        runs, a case also takes the statuses its flow declares for its open
        steps (``CaseFlow.case_statuses``), named by the flow (``status_label``)."""

        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CORRECTION = "correction", _("Correction requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CLOSED = "closed", _("Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    #: how a case can end (the outcome that sets its documents' retention)
    FINAL_STATUSES = (Status.APPROVED, Status.REFUSED, Status.CLOSED, Status.WITHDRAWN)
    #: the colour of each status's tag (``status_colour``): waiting on its applicant orange, granted green,
    #: refused red, over without a decision grey; a flow colours the statuses it adds (CaseFlow.status_colours)
    STATUS_COLOURS = {Status.DRAFT: "grey", Status.SUBMITTED: "blue", Status.CORRECTION: "orange",
                      Status.APPROVED: "green", Status.REFUSED: "red", Status.CLOSED: "grey", Status.WITHDRAWN: "grey"}

    reference = models.CharField(_("reference number"), max_length=32, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="applications"
    )
    service_version = models.ForeignKey(
        ServiceVersion, verbose_name=_("service version"), on_delete=models.PROTECT, related_name="applications",
        help_text=_("The version of the service the case was filed (or its draft last saved) under."),
    )
    data = models.JSONField(_("form data"), default=dict, blank=True)
    district = models.ForeignKey(
        Organisation, verbose_name=_("district"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"kind": Organisation.Kind.DISTRICT},
        help_text=_("Where the case belongs (for a permit: where the site is)."),
    )
    status = models.CharField(_("status"), max_length=20, choices=application_statuses, default=Status.DRAFT,
                              db_index=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    process = models.OneToOneField(
        "viewflow.Process", verbose_name=_("process"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="application",
    )

    history = History()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["applicant", "-created"])]

    def __str__(self):
        return self.reference or DRAFT_LABEL % {"pk": self.pk}

    def data_rows(self):
        """The form data as (label, value) pairs in the reader's language."""
        from .schema import display_rows

        return display_rows(self.service_version.form_schema, self.data)

    @property
    def status_label(self):
        """The status in words: as the case's flow names it, else the generic name."""
        flow_class = self.service_version.flow_class if self.service_version_id else None
        label = flow_class.status_label(self.status) if flow_class is not None else None
        if label is None:
            label = dict(self.Status.choices).get(self.status, self.status)
        return label

    @property
    def status_colour(self):
        """The colour of the status's tag: this model's for a generic status, else as the case's flow colours it,
        else blue."""
        if self.status in self.STATUS_COLOURS:
            return self.STATUS_COLOURS[self.status]
        flow_class = self.service_version.flow_class if self.service_version_id else None
        return (flow_class.status_colours.get(self.status) if flow_class is not None else None) or "blue"

    @property
    def is_decided(self):
        return self.status in (self.Status.APPROVED, self.Status.REFUSED)
