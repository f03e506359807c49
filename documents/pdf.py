"""PDF rendering: Django templates through WeasyPrint, in the reader's language.
Issued documents are PDF/A-3b (archival PDF: fonts embedded, colours defined,
XMP metadata declaring the conformance), as WeasyPrint's ``pdf_variant`` makes them."""

import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

PDF_A = "pdf/a-3b"

_fonts = threading.local()


def _font_config():
    """One font configuration per thread, kept between documents: building it (fontconfig,
    the system's font list) is about a fifth of rendering a one-page letter."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = FontConfiguration()
    return config


def render_html(template_name, context, *, language=None):
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(template_name, context)


def html_to_pdf(html, *, pdf_variant=None):
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=pdf_variant,
                                                                        font_config=_font_config())


def render_pdf(template_name, context, *, language=None, pdf_variant=None):
    return html_to_pdf(render_html(template_name, context, language=language), pdf_variant=pdf_variant)
