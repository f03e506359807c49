"""The staff workspace's entry of the problem reports (core.plugins): the call centre's screen, for the dispatch's
clerks and supervisors."""

from django.utils.translation import gettext_lazy as _

from core.plugins import STAFF, Link

from .inbound.phone import takes_calls

links = [
    Link(STAFF, _("Report by phone"), "reports:phone_report", order=15, visible=takes_calls),
]
