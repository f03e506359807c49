"""Who the site speaks for: the municipality's name, logo and colours. They are settings
(``MUNIS_MUNICIPALITY_NAME``, ``MUNIS_LOGO``, ``MUNIS_BRAND_COLOUR``, ``MUNIS_LINK_COLOUR``),
not code: the header, the footer, the page titles, the letters and the verify page read them here."""

import re

from django.conf import settings
from django.core.checks import Error, register
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
COLOUR_SETTINGS = ("MUNIS_BRAND_COLOUR", "MUNIS_LINK_COLOUR")


def municipality_name(language=None):
    """``MUNIS_MUNICIPALITY_NAME_<LANG>`` when set for the language, else
    ``MUNIS_MUNICIPALITY_NAME`` through the translation catalogs."""
    language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    named = settings.MUNIS_MUNICIPALITY_NAMES.get(language)
    if named:
        return named
    with translation.override(language):
        return _(settings.MUNIS_MUNICIPALITY_NAME)


def theme_css():
    """The stylesheet that gives the design system the municipality's colours (GOV.UK Frontend 6 reads
    its functional colours from these custom properties)."""
    brand, link = settings.MUNIS_BRAND_COLOUR, settings.MUNIS_LINK_COLOUR
    return (":root {\n"
            f"  --govuk-brand-colour: {brand};\n"
            f"  --munis-brand-colour: {brand};\n"
            f"  --govuk-link-colour: {link};\n  --govuk-link-visited-colour: {link};\n"
            "}\n")


@register()
def check_colours(app_configs=None, **kwargs):
    """A colour setting that is no CSS hex colour would be written into every page's stylesheet."""
    return [Error(f"{name} must be a hex colour such as #1d4e89, not {getattr(settings, name)!r}.",
                  id="munis.E010") for name in COLOUR_SETTINGS if not COLOUR.match(str(getattr(settings, name)))]
