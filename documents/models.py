"""The document store: a document is an identity (title, class, owner, case,
confidentiality); its content is a series of immutable versions whose bytes
live as content-addressed blobs on the ``documents`` storage (local files or S3).

Nothing is overwritten: a new upload is a new version row and, unless the same
bytes are stored already, a new blob. Version rows are never updated or deleted
(disposal destroys blobs and records a tombstone, the rows stay).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.history import History


class Confidentiality(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET_PERSONAL = "secret_personal", _("Secret (personal data)")

    @classmethod
    def logged(cls):
        """Levels whose every read is logged."""
        return {cls.CONFIDENTIAL, cls.SECRET_PERSONAL}


class DisposalAction(models.TextChoices):
    DESTROY = "destroy", _("Destroy")
    TRANSFER = "transfer", _("Transfer to the archive")
    KEEP = "keep", _("Keep permanently")


class DocumentClass(models.Model):
    """An entry of the classification scheme (file plan): what kind of record a
    document is, how long it is kept and what happens to it then."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True, help_text=_("Empty: kept permanently."))
    disposal = models.CharField(_("after retention"), max_length=20, choices=DisposalAction.choices,
                                default=DisposalAction.DESTROY)
    confidentiality = models.CharField(_("default confidentiality"), max_length=20,
                                       choices=Confidentiality.choices, default=Confidentiality.INTERNAL)

    class Meta:
        ordering = ["code"]
        verbose_name = _("document class")
        verbose_name_plural = _("document classes")

    def __str__(self):
        return self.name or self.code


class Document(models.Model):
    """A record's identity. ``case`` is whatever the document belongs to (an
    application, a letter…): the store knows no e-service. ``code`` names its
    place in the case (e.g. the site plan of a permit application): uploading
    to the same place again adds a version."""

    title = models.CharField(_("title"), max_length=300)
    document_class = models.ForeignKey(DocumentClass, verbose_name=_("class"), on_delete=models.PROTECT,
                                       related_name="documents")
    owner = models.ForeignKey(Organisation, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="documents")
    confidentiality = models.CharField(_("confidentiality"), max_length=20, choices=Confidentiality.choices)
    case_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case_id = models.CharField(_("case id"), max_length=64, blank=True)
    case = GenericForeignKey("case_type", "case_id")
    code = models.SlugField(_("place in the case"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    # check-out: whoever holds the token may add the next version until it expires
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked out by"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    lock_token = models.CharField(max_length=64, blank=True)
    lock_expires_at = models.DateTimeField(_("checked out until"), null=True, blank=True)
    # retention: set when the case ends (documents.retention.case_retention_set)
    outcome = models.CharField(_("case outcome"), max_length=50, blank=True)
    disposal_action = models.CharField(_("after retention"), max_length=20, choices=DisposalAction.choices,
                                       blank=True)
    disposal_due = models.DateField(_("retained until"), null=True, blank=True,
                                    help_text=_("Empty: not decided yet, or kept permanently."))
    disposed_at = models.DateTimeField(_("disposed"), null=True, blank=True)

    history = History()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["case_type", "case_id"], name="documents_case")]
        constraints = [
            models.UniqueConstraint(fields=["case_type", "case_id", "code"], condition=~models.Q(code=""),
                                    name="documents_one_per_place_in_case"),
        ]

    def __str__(self):
        return self.title

    def is_locked(self, now=None):
        return bool(self.lock_token) and self.lock_expires_at is not None and self.lock_expires_at > (
            now or timezone.now())


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise VersionImmutable

    def delete(self):
        raise VersionImmutable


class VersionImmutable(RuntimeError):
    def __init__(self):
        super().__init__("Document versions are immutable: add a new version instead.")


class DocumentVersion(models.Model):
    """One immutable content of a document. The row is its own history: it is
    written once and never changed, so it carries no row versions."""

    document = models.ForeignKey(Document, verbose_name=_("document"), on_delete=models.PROTECT,
                                 related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    blob_key = models.CharField(_("blob"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    mime_type = models.CharField(_("type"), max_length=100)
    original_name = models.CharField(_("file name"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["document_id", "number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_number")]
        indexes = [models.Index(fields=["sha256"], name="documents_version_sha256")]

    def __str__(self):
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise VersionImmutable
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise VersionImmutable


class IssuedDocument(models.Model):
    """A PDF the municipality issued (a permit, a certificate…): one version of a
    case's document, findable by anyone through its verification code, printed on
    it in clear and as a QR code leading to ``/verify/<code>/``. The row records
    what the verify page tells: what it is, to whom, when, by whom, whether it was
    revoked, and who signed it. ``version`` holds the bytes and their SHA-256."""

    code = models.CharField(_("verification code"), max_length=16, unique=True)
    version = models.OneToOneField(DocumentVersion, verbose_name=_("issued version"), on_delete=models.PROTECT,
                                   related_name="issued")
    title = models.CharField(_("title"), max_length=300)
    language = models.CharField(_("language"), max_length=10, blank=True)
    issued_to = models.CharField(_("issued to"), max_length=300)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", help_text=_("Empty: the system."))
    signer_subject = models.CharField(_("signed by"), max_length=300, blank=True,
                                      help_text=_("Empty: issued without an electronic signature."))
    signature_method = models.CharField(_("signature"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    retained_until = models.DateTimeField(_("retained until"), null=True, blank=True,
                                          help_text=_("The storage refuses to delete the file before this date."))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    history = History()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        constraints = [
            models.CheckConstraint(condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                                   name="documents_issued_revocation_has_reason"),
        ]

    def __str__(self):
        return f"{self.display_code} — {self.title}"

    @property
    def display_code(self):
        from .codes import format_code

        return format_code(self.code)

    @property
    def is_revoked(self):
        return self.revoked_at is not None


from .previews import DocumentPreview  # noqa: E402, F401
from .retention_models import DisposalItem, DisposalRun, LegalHold, RetentionRule  # noqa: E402, F401
from .sweeper import SweepPosition, SweptBlob  # noqa: E402, F401
from .upload_sessions import UploadSession  # noqa: E402, F401
