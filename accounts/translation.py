from modeltranslation.translator import TranslationOptions, register

from core.history import register_history

from .models import Organisation


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("name",)


# After modeltranslation, so the history table carries name_en / name_ru too.
register_history(Organisation)
