"""The portal's entries of the service catalog (core.plugins): the catalog for
everyone, one's own applications for people who sign in as applicants (staff menus
show the work staff do instead), and the services in force on the home page."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import roles_of
from core.plugins import PORTAL, HomeSection, Link

from .selectors import versions_in_force


def applicant(user):
    """Signed in, and not staff: no role in any organisation (read once per request) and no admin rights."""
    return user.is_authenticated and not user.is_staff and not roles_of(user)


def services_in_force(request):
    return {"versions": versions_in_force()[:6]}


links = [
    Link(PORTAL, _("Services"), "eservices:catalog", order=10),
    Link(PORTAL, _("My applications"), "eservices:my_applications", order=20, visible=applicant),
]

home_sections = [
    HomeSection("eservices/home_services.html", context=services_in_force, order=10),
]
