"""Reading a service's JSON-Schema form definition for people.

Schemas carry English ``title``/``description``; translations sit in
``x-title``/``x-description`` (``{"ru": "..."}``) and enum labels in
``x-enum-titles`` (``{"en": {...}, "ru": {...}}``).
"""

from django.utils.translation import get_language


def translated(spec, key, default=""):
    return (spec.get(f"x-{key}") or {}).get(get_language()) or spec.get(key, default)


def enum_titles(spec):
    titles = spec.get("x-enum-titles") or {}
    return titles.get(get_language()) or titles.get("en") or {}


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
