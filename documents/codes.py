"""Verification codes of issued documents: short enough to type from paper,
long enough not to be guessed.

Ten characters from an alphabet without the look-alikes 0/O, 1/I/L (and U,
which turns random codes into words), printed in groups as ``K7QM-3XPA-9R``.
30^10 codes is about 49 bits: at the verify page's rate limit nobody finds an
issued one by trying. Stored without dashes, in capitals; whatever people type
(small letters, spaces, dashes, none of them) is read back to that form.
"""

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
GROUPS = (4, 4, 2)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.]+")
_VALID = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code():
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(text):
    """The stored form of a typed code, or None when it cannot be one."""
    code = _SEPARATORS.sub("", text or "").upper()
    return code if _VALID.fullmatch(code) else None


def format_code(code):
    """``K7QM3XPA9R`` → ``K7QM-3XPA-9R``."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start:start + size])
        start += size
    return "-".join(part for part in parts if part)
