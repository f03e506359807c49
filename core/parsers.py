"""Request body parsers for the REST API that answer any body with data or a 400, never a 500."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: how deeply arrays and objects may nest in a JSON body; our documents need a handful of levels
JSON_MAX_DEPTH = 32


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing bodies nested deeper than ``JSON_MAX_DEPTH``.

    Python's decoder recurses once per level: ``[`` × 2000 exhausts the interpreter's stack
    (RecursionError, a 500), and a body just under that limit would exhaust it later in whatever
    walks the data. Both are a malformed request."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep(), code="too_deeply_nested") from None
        if _depth_exceeds(data, JSON_MAX_DEPTH):
            raise ParseError(_too_deep(), code="too_deeply_nested")
        return data


def _too_deep():
    return _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": JSON_MAX_DEPTH}


def _depth_exceeds(data, limit):
    """Whether arrays/objects nest deeper than ``limit``; walked without recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
