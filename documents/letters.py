"""What every issued letter carries, whatever it says: the municipality's name
at the top, and at the bottom its verification code in clear beside a QR code
that leads to the verify page."""

import datetime
from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse


def verify_url(display_code):
    return settings.SITE_URL.rstrip("/") + reverse("documents:verify", args=[display_code])


# The data mask of the QR code. Readers accept any of the eight; choosing the "best" one for
# each code (segno scores all eight) takes three times as long as making the code, for a
# difference no phone notices on a letter printed black on white.
QR_MASK = 1


def qr_data_uri(url):
    """The URL as a QR code in an SVG data URI (vector: sharp on paper at any size). Error
    correction level M survives a crease or a stamp over a corner."""
    return segno.make(url, error="m", micro=False, mask=QR_MASK).svg_data_uri(border=0, dark="#000", omitsize=True)


@dataclass(frozen=True)
class LetterFacts:
    """The ``issued`` context of a letter template (documents/pdf/letter.html)."""

    code: str
    display_code: str
    verify_url: str
    qr: str
    municipality: str
    title: str
    language: str
    issued_at: datetime.datetime
