"""The licensing app's entries (core.plugins): a staff link for heads of
department, after the engine's, and a home-page section for anyone signed in."""

from django.utils.translation import gettext_lazy as _

from accounts.permissions import headed_organisation_ids
from core.plugins import STAFF, HomeSection, Link, signed_in


def heads_of_department(user):
    return bool(headed_organisation_ids(user))


links = [
    Link(STAFF, _("Trade licences"), "flowapp:licences", order=50, visible=heads_of_department),
]

home_sections = [
    HomeSection("flowapp/home.html", context=lambda request: {"holder": request.user}, order=20, visible=signed_in),
]
