"""The audit trail's entry in the staff workspace (core.plugins)."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_read_audit

from .plugins import STAFF, Link

links = [
    Link(STAFF, _("Audit"), "audit:search", order=20, visible=can_read_audit),
]
