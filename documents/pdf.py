"""PDF rendering: Django templates through WeasyPrint, in the reader's language.
Issued documents are PDF/A-3b (archival PDF: fonts embedded, colours defined,
XMP metadata declaring the conformance), as WeasyPrint's ``pdf_variant`` makes them.

What every document of a kind shares is prepared once per rendering thread and kept:
WeasyPrint's font configuration and the parsed stylesheets (``LETTER_STYLESHEET``, the
letterhead of issued letters), which together cost about a quarter of rendering a
one-page letter when made afresh."""

import threading
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

PDF_A = "pdf/a-3b"
LETTER_STYLESHEET = Path(__file__).resolve().parent / "templates" / "documents" / "pdf" / "letter.css"

_per_thread = threading.local()


def _font_config():
    """One font configuration per thread, kept between documents: building it (fontconfig,
    the system's font list) is about a fifth of rendering a one-page letter."""
    config = getattr(_per_thread, "config", None)
    if config is None:
        config = _per_thread.config = FontConfiguration()
    return config


def _stylesheet(path):
    """The parsed stylesheet at ``path``, for this thread's font configuration."""
    sheets = getattr(_per_thread, "stylesheets", None)
    if sheets is None:
        sheets = _per_thread.stylesheets = {}
    sheet = sheets.get(path)
    if sheet is None:
        sheet = sheets[path] = CSS(filename=str(path), font_config=_font_config())
    return sheet


def render_html(template_name, context, *, language=None):
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(template_name, context)


def html_to_pdf(html, *, pdf_variant=None, stylesheets=()):
    """``html`` as PDF, styled by the stylesheet files ``stylesheets`` (paths) besides its own."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant=pdf_variant, font_config=_font_config(), stylesheets=[_stylesheet(path) for path in stylesheets])

