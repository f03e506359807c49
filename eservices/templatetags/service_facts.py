"""A service's facts as the portal writes them: its fee in the municipality's currency."""

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def fee(amount):
    """``150,000 UZS`` (``150 000 сум`` in Russian: digits grouped as the reader's language groups them, and
    decimals only when there are some), or ``Free`` for nothing to pay. The currency is MUNIS_CURRENCY."""
    if not amount:
        return _("Free")
    decimals = 0 if amount == amount.to_integral_value() else 2
    return _("%(amount)s %(currency)s") % {
        "amount": number_format(amount, decimals, use_l10n=True, force_grouping=True),
        "currency": _(settings.MUNIS_CURRENCY)}
