"""The audit log: append-only, hash-chained, outliving what it mentions."""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import no_invisible_controls

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")

    def for_trail(self, trail_key):
        return self.filter(trail_key=trail_key).order_by("id")


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


class AuditEvent(models.Model):
    """One state change. Rows reference users and objects by value, never by a
    cascading foreign key, so deleting either leaves the trail intact."""

    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # db_constraint=False + DO_NOTHING: the id stays even if the user row goes.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_label = models.CharField(_("object"), max_length=300)
    trail_key = models.CharField(
        _("case trail"), max_length=120, db_index=True, blank=True,
        help_text=_("The case this event belongs to, e.g. eservices.application:12"),
    )
    before = models.JSONField(_("before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"#{self.pk} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def payload(self):
        """The fields the hash covers, in canonical form. The row id is left
        out so the hash is final at INSERT; ``prev_hash`` fixes the order."""
        created = self.created.astimezone(datetime.UTC).isoformat(timespec="microseconds")
        return {
            "created": created,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "trail_key": self.trail_key,
            "before": self.before,
            "after": self.after,
            "request_id": self.request_id,
            "ip": self.ip,
            "prev_hash": self.prev_hash,
        }

    def compute_hash(self):
        return hashlib.sha256(canonical_json(self.payload()).encode()).hexdigest()


class AuditChainHead(models.Model):
    """Single row locked FOR UPDATE while appending, so the chain stays linear
    under concurrent writers."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self):
        return f"audit chain head #{self.last_id}"


class IdempotentRequest(models.Model):
    """A form post that succeeded, by the key its form carried. A retry of the
    same post (a double click, a resend after a dropped connection) finds it
    and is answered like the first, without doing the work twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_unique_key")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class ReferenceSequence(models.Model):
    """Gap-free counter per series and year (``core.references``). The row is
    locked while a number is taken; the increment commits or rolls back with
    the record that got the number."""

    series = models.CharField(_("series"), max_length=40)
    year = models.PositiveSmallIntegerField(_("year"))
    last_value = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="core_reference_sequence_unique")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last_value}"


class OutboxMessage(models.Model):
    """One notification to one address on one channel (core.outbox). It is written in the transaction of the
    change it reports, so it exists exactly when that change committed, and is delivered afterwards, tried again
    with growing pauses while the channel is down. Like audit rows it names what it reports by value."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (refused for good)")
        GIVEN_UP = "given_up", _("given up (too many tries)")

    channel = models.CharField(_("channel"), max_length=32)
    address = models.CharField(_("address"), max_length=254)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    subject = models.TextField(_("subject"), blank=True)
    body = models.TextField(_("text"))
    language = models.CharField(_("language"), max_length=16, blank=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("about"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="outbox_due"),
            models.Index(fields=["sent_at"], condition=models.Q(status="sent"), name="outbox_sent"),
        ]

    def __str__(self):
        return f"{self.channel} → {self.address}: {self.subject or self.body}"[:300]


class ApiClient(models.Model):
    """An outside application (an Open311 app, a national platform) that calls Munis with its own API key
    (core.api_clients). The key is shown once, when it is made; only its SHA-256 is kept, so a copy of the
    database lets nobody call as the client. Its first characters (``key_prefix``, not a secret) tell an
    operator which key a client holds. A revoked client stays, inactive, so its trail still names it."""

    name = models.CharField(_("name"), max_length=100, validators=[no_invisible_controls])
    contact = models.EmailField(_("contact e-mail"), blank=True,
                                help_text=_("Whom to tell about changes to the API or a leaked key."))
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="core_api_client_unique_name",
                                    violation_error_message=_("An API client with this name exists already.")),
            models.CheckConstraint(condition=models.Q(revoked_at__isnull=True) | models.Q(is_active=False),
                                   name="core_api_client_revoked_is_inactive"),
        ]

    def __str__(self):
        return self.name
