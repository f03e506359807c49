from django import template
from django.utils.html import format_html

from core.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag
def idempotency_key():
    """A hidden field with a fresh one-time key: a retried post of this form is done once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())
