"""The staff workspace's entries of the engine (core.plugins): the inbox for those
who work a queue, incidents for auditors and administrators, process analytics
for supervisors, auditors and administrators."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_read_audit, is_case_worker
from core.plugins import STAFF, Link

from .analytics import can_see_analytics

links = [
    Link(STAFF, _("Inbox"), "workflows:inbox", order=10, visible=is_case_worker),
    Link(STAFF, _("Incidents"), "workflows:incidents", order=30, visible=can_read_audit),
    Link(STAFF, _("Analytics"), "workflows:analytics", order=40, visible=can_see_analytics),
]
