"""Records management: how long documents are kept after their case ends
(``RetentionRule``), what may not be disposed of (``LegalHold``), and the
disposal runs that destroy or transfer them once approved, leaving a tombstone
(``DisposalItem``: who approved, when, which versions with their hashes)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.history import History

from .models import DisposalAction, Document, DocumentClass


class RetentionRule(models.Model):
    """For documents of a class whose case ended with ``outcome`` (e.g. a refused
    permit): keep them this long, then do this. Without a rule the class decides."""

    document_class = models.ForeignKey(DocumentClass, verbose_name=_("document class"), on_delete=models.CASCADE,
                                       related_name="retention_rules")
    outcome = models.CharField(_("case outcome"), max_length=50,
                               help_text=_("As the case records it, e.g. approved, refused, closed."))
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True, help_text=_("Empty: kept permanently."))
    disposal = models.CharField(_("after retention"), max_length=20, choices=DisposalAction.choices)

    history = History()

    class Meta:
        ordering = ["document_class", "outcome"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        constraints = [models.UniqueConstraint(fields=["document_class", "outcome"], name="documents_one_rule")]

    def __str__(self):
        return f"{self.document_class} / {self.outcome}"


class LegalHold(models.Model):
    """Nothing under a hold is disposed of, whatever its retention says: one
    document, or every document of a case. Released holds stay as a record."""

    document = models.ForeignKey(Document, verbose_name=_("document"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="holds")
    case_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case_id = models.CharField(_("case id"), max_length=64, blank=True)
    case = GenericForeignKey("case_type", "case_id")
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT,
                                  related_name="+")
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("released by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    release_reason = models.TextField(_("reason for release"), blank=True)

    history = History()

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        constraints = [
            models.CheckConstraint(condition=models.Q(document__isnull=False) | models.Q(case_type__isnull=False),
                                   name="documents_hold_has_subject"),
        ]

    def __str__(self):
        return str(self.document or self.case or self.case_id)

    @property
    def is_active(self):
        return self.released_at is None


class DisposalRun(models.Model):
    """A list of documents whose retention has run out, proposed by one person,
    approved by another, then carried out."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        EXECUTED = "executed", _("Carried out")
        CANCELLED = "cancelled", _("Cancelled")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    due_by = models.DateField(_("retention ended by"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    executed_at = models.DateTimeField(_("carried out"), null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("disposal run")
        verbose_name_plural = _("disposal runs")

    def __str__(self):
        return _("Disposal run #%(id)s") % {"id": self.pk}


class DisposalItem(models.Model):
    """One document of a run and, once carried out, its tombstone: what was done,
    and the versions (number, SHA-256, size) whose bytes are gone."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Pending")
        DESTROYED = "destroyed", _("Destroyed")
        TRANSFERRED = "transferred", _("Transferred to the archive")
        HELD = "held", _("Kept: under legal hold")
        PROTECTED = "protected", _("Kept: the storage refuses deletion before its retention date")

    run = models.ForeignKey(DisposalRun, verbose_name=_("disposal run"), on_delete=models.PROTECT,
                            related_name="items")
    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.PROTECT,
                                 related_name="disposals")
    action = models.CharField(_("action"), max_length=20, choices=DisposalAction.choices)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.PENDING)
    versions = models.JSONField(_("versions"), default=list, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("disposal item")
        verbose_name_plural = _("disposal items")
        constraints = [models.UniqueConstraint(fields=["run", "document"], name="documents_disposal_once_per_run")]

    def __str__(self):
        return f"{self.run} — {self.document}"
