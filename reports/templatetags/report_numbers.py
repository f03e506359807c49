"""Counts on the reports' pages written as people read them in their language: 1,234 in English, 1 234 in
Russian."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def grouped(number):
    return number_format(number or 0, force_grouping=True)
