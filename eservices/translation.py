import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import RequiredDocument, ServiceType


@register(ServiceType)
class ServiceTypeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(RequiredDocument)
class RequiredDocumentTranslation(TranslationOptions):
    fields = ("name",)


# Registered here rather than on the models so the history tables carry the
# per-language columns modeltranslation has just added.
simple_history.register(ServiceType)
simple_history.register(RequiredDocument)
