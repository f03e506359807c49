"""Validators for what people type."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

#: Invisible characters that change how text around them is ordered or joined on screen: "RTL" with
#: U+202E before it shows as "LTR" on a staff page, in the audit trail and in an issued PDF. No
#: language we serve needs them typed (the browser orders right-to-left script by itself).
INVISIBLE_CONTROLS = frozenset(
    [0x061C, 0x200B, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]
)


def invisible_controls_in(text):
    """The invisible direction and zero-width characters in ``text``, in order of appearance, each once."""
    found = []
    for char in text:
        if ord(char) in INVISIBLE_CONTROLS and char not in found:
            found.append(char)
    return found


def invisible_controls_message(found):
    names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '').title()}".rstrip() for c in found)
    return _("Remove the invisible control character(s) %(names)s: they make text read differently from "
             "how it shows.") % {"names": names}


@deconstructible
class NoInvisibleControlsValidator:
    """Refuses text carrying ``INVISIBLE_CONTROLS`` with a message naming them."""

    code = "invisible_control"

    def __call__(self, value):
        if isinstance(value, str):
            found = invisible_controls_in(value)
            if found:
                raise ValidationError(invisible_controls_message(found), code=self.code)

    def __eq__(self, other):
        return isinstance(other, NoInvisibleControlsValidator)


no_invisible_controls = NoInvisibleControlsValidator()


def strings_with_invisible_controls(data, path=()):
    """Walk JSON-like ``data``; yield (path, found characters) for each string (key or value) carrying them."""
    if isinstance(data, str):
        found = invisible_controls_in(data)
        if found:
            yield path, found
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from strings_with_invisible_controls(key, (*path, key))
            yield from strings_with_invisible_controls(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from strings_with_invisible_controls(value, (*path, index))
