"""Reading a service's JSON-Schema form definition for people.

Schemas carry English ``title``/``description``; translations sit in
``x-title``/``x-description`` (``{"ru": "..."}``) and enum labels in
``x-enum-titles`` (``{"en": {...}, "ru": {...}}``). A ``pattern`` is a regular
expression, which means nothing to an applicant: ``x-pattern-message`` says in
words what the value must look like (``{"en": "...", "ru": "..."}``).
"""

from django.utils.translation import get_language
from django.utils.translation import gettext as _


def translated(spec, key, default=""):
    return (spec.get(f"x-{key}") or {}).get(get_language()) or spec.get(key, default)


def enum_titles(spec):
    titles = spec.get("x-enum-titles") or {}
    return titles.get(get_language()) or titles.get("en") or {}


def pattern_message(spec):
    """What to tell someone whose value does not match the field's ``pattern``: the schema's own words in the
    current language, else a generic sentence pointing at the hint. Never the regular expression."""
    message = spec.get("x-pattern-message")
    if isinstance(message, str) and message:
        return message
    message = message or {}
    found = message.get(get_language()) or message.get("en")
    if found:
        return found
    if spec.get("description"):
        return _("This is not in the expected format: enter it as in the example under the field.")
    return _("This is not in the expected format.")


def display_rows(schema, data):
    """(label, value) pairs in the schema's order, for pages and letters."""
    properties = (schema or {}).get("properties", {})
    rows = []
    for name, spec in properties.items():
        if name in data:
            value = data[name]
            rows.append((translated(spec, "title", name), enum_titles(spec).get(value, value)))
    rows.extend((name, value) for name, value in data.items() if name not in properties)
    return rows
