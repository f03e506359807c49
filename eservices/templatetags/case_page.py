"""The correction conversation of a case (eservices.selectors) for a page that has only the case (the staff's
case summary). A case's status tag takes its colour from ``Application.status_colour``."""

from django import template

from eservices.selectors import correction_conversation

register = template.Library()


@register.filter
def corrections_of(application):
    """The application's correction rounds, oldest first (eservices.selectors.correction_conversation)."""
    return correction_conversation(application=application)
