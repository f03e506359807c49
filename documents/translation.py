from modeltranslation.translator import TranslationOptions, register

from core.history import register_history

from .models import DocumentClass


@register(DocumentClass)
class DocumentClassTranslation(TranslationOptions):
    fields = ("name",)


register_history(DocumentClass)
