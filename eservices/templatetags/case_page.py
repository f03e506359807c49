"""What the case pages draw with the design system: the colour of a case's status tag, and its correction
conversation (eservices.selectors) for a page that has only the case (the staff's case summary)."""

from django import template

from eservices.selectors import correction_conversation

register = template.Library()

#: status code -> the design system's tag colour (govuk-tag--<colour>); a status not named here is blue, the
#: tag's own colour: a case on its way
TAG_COLOURS = {
    "draft": "grey",
    "correction": "orange",  # waiting for its applicant
    "awaiting_decision": "purple",
    "approved": "green",
    "refused": "red",
    "closed": "grey",
    "withdrawn": "grey",
}


@register.filter
def tag_colour(status):
    """The tag's modifier class for a case in ``status`` (with its leading space), or nothing for blue."""
    colour = TAG_COLOURS.get(status)
    return f" govuk-tag--{colour}" if colour else ""


@register.filter
def corrections_of(application):
    """The application's correction rounds, oldest first (eservices.selectors.correction_conversation)."""
    return correction_conversation(application=application)
