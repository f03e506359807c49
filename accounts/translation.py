import simple_history
from modeltranslation.translator import TranslationOptions, register

from .models import Organisation


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)


# After modeltranslation, so the history table carries name_en / name_ru too.
simple_history.register(Organisation)
