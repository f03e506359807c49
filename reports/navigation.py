"""The portal's entries of the problem reports (core.plugins): reporting a problem and the problems in the city,
for everyone, signed in or not; and on the home page an invitation to report, with the city's counts."""

from django.utils.translation import gettext_lazy as _

from core.plugins import PORTAL, HomeSection, Link

from .selectors import public_counts


def reports_counts(request):
    return {"counts": public_counts()}


links = [
    Link(PORTAL, _("Report a problem"), "reports:new", order=30),
    Link(PORTAL, _("Problems in the city"), "reports:list", order=40),
]

home_sections = [
    HomeSection("reports/home_section.html", context=reports_counts, order=20),
]
