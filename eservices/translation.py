from modeltranslation.translator import TranslationOptions, register

from core.history import register_history

from .models import RequiredDocument, ServiceVersion


@register(ServiceVersion)
class ServiceVersionTranslation(TranslationOptions):
    fields = ("name", "description", "appeal_body", "appeal_address")


@register(RequiredDocument)
class RequiredDocumentTranslation(TranslationOptions):
    fields = ("name",)


# Registered here rather than on the models so the history tables carry the
# per-language columns modeltranslation has just added.
register_history(ServiceVersion)
register_history(RequiredDocument)
