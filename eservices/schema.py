"""Reading a service's JSON-Schema form definition for people.

Schemas carry English ``title``/``description``; translations sit in
``x-title``/``x-description`` (``{"ru": "..."}``) and enum labels in
``x-enum-titles`` (``{"en": {...}, "ru": {...}}``). A ``pattern`` is a regular
expression, which means nothing to an applicant: ``x-pattern-message`` says in
words what the value must look like (``{"en": "...", "ru": "..."}``).

The order of the fields is ``x-order`` (a list of property names) when the schema gives one; else the required fields in the order ``required`` lists them, then the optional ones.
Never the order of ``properties`` alone: PostgreSQL stores a schema as jsonb, which does not keep an object's keys
in the order they were written.
"""

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def ordered_properties(schema):
    """The schema's ``(name, spec)`` pairs in the order people fill them in (see the module's docstring)."""
    properties = (schema or {}).get("properties") or {}
    first = [*(schema or {}).get("x-order", []), *(schema or {}).get("required", [])]
    names = list(dict.fromkeys(name for name in first if name in properties))
    names += sorted(name for name in properties if name not in names)
    return [(name, properties[name]) for name in names]


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


def _shown(spec, value):
    """A value as people read it: an enum's label; a number as entered, in the reader's language (1200, not the
    1200.0 a float field keeps; 420,5 in Russian)."""
    if "enum" in spec:
        return enum_titles(spec).get(value, value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_format(value, use_l10n=True)
    return value


def display_rows(schema, data):
    """(label, value) pairs in the schema's order, for pages and letters."""
    properties = (schema or {}).get("properties", {})
    rows = []
    for name, spec in ordered_properties(schema):
        if name in data:
            value = data[name]
            rows.append((translated(spec, "title", name), _shown(spec, value)))
    rows.extend((name, value) for name, value in data.items() if name not in properties)
    return rows
