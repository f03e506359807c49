"""The portal's entries of the service catalog (core.plugins): the catalog for
everyone, one's own applications once signed in, and the services in force on
the home page."""

from django.utils.translation import gettext_lazy as _

from core.plugins import PORTAL, HomeSection, Link, signed_in

from .selectors import versions_in_force


def services_in_force(request):
    return {"versions": versions_in_force()[:6]}


links = [
    Link(PORTAL, _("Services"), "eservices:catalog", order=10),
    Link(PORTAL, _("My applications"), "eservices:my_applications", order=20, visible=signed_in),
]

home_sections = [
    HomeSection("eservices/home_services.html", context=services_in_force, order=10),
]
