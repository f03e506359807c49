from django.conf import settings
from django.db import models

from accounts.models import Organisation


class FaultReport(models.Model):
    RECEIVED = "received"
    REPAIRED = "repaired"

    reference = models.CharField(max_length=32, unique=True, null=True, blank=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.TextField()
    status = models.CharField(max_length=20, default=RECEIVED)
    closed_at = models.DateTimeField(null=True, blank=True)
    process = models.OneToOneField("viewflow.Process", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="fault_report")

    def __str__(self):
        return self.reference or f"Fault report #{self.pk}"
