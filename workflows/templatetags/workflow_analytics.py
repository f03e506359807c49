"""``{% load workflow_analytics %}{% if user|can_see_analytics %}``: whether to
link the process analytics page (supervisors, auditors, administrators)."""

from django import template

from workflows import analytics

register = template.Library()


@register.filter
def can_see_analytics(user):
    return analytics.can_see_analytics(user)
