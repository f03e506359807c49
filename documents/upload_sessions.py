"""Resumable uploads (documents.resumable): a big file arrives in chunks over
many requests, possibly to different replicas. The row keeps how far it got;
the chunks themselves are objects on the ``documents`` storage, so no replica
keeps anything of an upload on its own disk or in its memory between requests."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UploadSession(models.Model):
    """One file on its way in. The random id is the only handle on it, and
    only its owner can use it; it ends when the file is stored as a document
    (or cancelled, or left to expire)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                              related_name="+")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    offset = models.PositiveBigIntegerField(_("bytes received"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last chunk"), default=timezone.now)
    completed_at = models.DateTimeField(pgettext_lazy("upload session", "completed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), db_index=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("upload session")
        verbose_name_plural = _("upload sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0) & models.Q(offset__lte=models.F("size")),
                                   name="documents_upload_offset_within_size"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_complete(self):
        return self.offset == self.size

    def is_expired(self, now=None):
        return self.expires_at <= (now or timezone.now())
