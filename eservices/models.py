from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from accounts.models import Organisation
from core.history import History


def validate_json_schema(value):
    try:
        Draft202012Validator.check_schema(value)
    except SchemaError as exc:
        raise ValidationError(_("Not a valid JSON Schema: %(error)s") % {"error": exc.message}) from exc
    if value.get("type") != "object":
        raise ValidationError(_("The form definition must describe an object."))


class ServiceType(models.Model):
    """A catalog entry: what a citizen can apply for. Configuration, not data."""

    FLOWS = [("eservices.flows.BuildingPermitFlow", _("Building permit"))]

    code = models.SlugField(_("code"), max_length=50, unique=True)
    reference_series = models.CharField(
        _("reference series"), max_length=6, help_text=_("Prefix of reference numbers, e.g. BP")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        Organisation, verbose_name=_("owning department"), on_delete=models.PROTECT, related_name="service_types",
        limit_choices_to={"kind": Organisation.Kind.DEPARTMENT},
    )
    form_schema = models.JSONField(
        _("form definition"), default=dict, validators=[validate_json_schema],
        help_text=_("JSON Schema of the application form; validated on the server."),
    )
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=0)
    deadline_days = models.PositiveSmallIntegerField(_("legal deadline (working days)"), default=30)
    flow = models.CharField(_("flow"), max_length=100, choices=FLOWS, default=FLOWS[0][0])
    is_published = models.BooleanField(_("published"), default=False)

    # history is registered in translation.py, after the translated fields exist

    class Meta:
        ordering = ["name"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")

    def __str__(self):
        return self.name

    def route_department_ids(self):
        """{flow step: department id} of this service's routing rules, read
        once per instance (a parallel split routes several steps at once)."""
        if not hasattr(self, "_route_department_ids"):
            self._route_department_ids = dict(self.task_routes.values_list("task", "department_id"))
        return self._route_department_ids


class RequiredDocument(models.Model):
    service_type = models.ForeignKey(ServiceType, on_delete=models.CASCADE, related_name="required_documents")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    mandatory = models.BooleanField(_("mandatory"), default=True)

    # history is registered in translation.py, after the translated fields exist

    class Meta:
        ordering = ["id"]
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        constraints = [models.UniqueConstraint(fields=["service_type", "code"], name="required_document_unique_code")]

    def __str__(self):
        return self.name


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


class ReferenceSequence(models.Model):
    """Gap-free counter per series and year. The row is locked while a number
    is taken; the increment commits or rolls back with the case."""

    series = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="reference_sequence_unique")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last_value}"


class Application(models.Model):
    """A citizen's case for one service type."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted — completeness check")
        CORRECTION = "correction", _("Correction requested")
        IN_REVIEW = "in_review", _("Technical review")
        AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CLOSED = "closed", _("Closed — correction not answered in time")

    reference = models.CharField(_("reference number"), max_length=32, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="applications"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="applications"
    )
    data = models.JSONField(_("form data"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    decision_letter = models.FileField(_("decision letter"), upload_to="decisions/%Y/", blank=True)
    process = models.OneToOneField(
        "viewflow.Process", verbose_name=_("process"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="application",
    )

    history = History(excluded_fields=["decision_letter"])

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["applicant", "-created"])]

    def __str__(self):
        return self.reference or _("Draft #%(pk)s") % {"pk": self.pk}

    def data_rows(self):
        """The form data as (label, value) pairs in the reader's language."""
        from .schema import display_rows

        return display_rows(self.service_type.form_schema, self.data)

    @property
    def is_decided(self):
        return self.status in (self.Status.APPROVED, self.Status.REFUSED)


class Attachment(models.Model):
    """A file uploaded with an application. Never overwritten: a correction
    adds a new row; the document-store issue moves these to versioned storage."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="attachments")
    document_code = models.SlugField(_("document"), max_length=50)
    file = models.FileField(_("file"), upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    history = History()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name
