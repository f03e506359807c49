"""A case's status as the design system's tag, the same on every page that lists or shows one (an application, a
problem report): any object with ``status_label`` and ``status_colour``."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def status_tag(application):
    """``<strong class="govuk-tag govuk-tag--green">Approved</strong>``: the status in words (``status_label``),
    coloured by what it means to the applicant (``status_colour``)."""
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', application.status_colour,
                       application.status_label)
