"""The problem reports' entries (core.plugins): in the portal, reporting a problem and the problems in the city,
for everyone, signed in or not; in the staff workspace, the call centre's screen, for the dispatch's clerks and
supervisors; and on the home page an invitation to report, with the city's counts."""

from django.utils.translation import gettext_lazy as _

from core.plugins import PORTAL, STAFF, HomeSection, Link

from .inbound.phone import takes_calls
from .selectors import public_counts


def reports_counts(request):
    return {"counts": public_counts()}


links = [
    Link(PORTAL, _("Report a problem"), "reports:new", order=30),
    Link(PORTAL, _("Problems in the city"), "reports:list", order=40),
    Link(STAFF, _("Report by phone"), "reports:phone_report", order=15, visible=takes_calls),
]

home_sections = [
    HomeSection("reports/home_section.html", context=reports_counts, order=20),
]
