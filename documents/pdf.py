"""PDF rendering: Django templates through WeasyPrint, in the reader's language."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML


def render_pdf(template_name, context, *, language=None):
    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
