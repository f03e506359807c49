from modeltranslation.translator import TranslationOptions, register

from core.history import register_history

from .models import Category, CategoryAttribute


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description", "keywords")


@register(CategoryAttribute)
class CategoryAttributeTranslation(TranslationOptions):
    fields = ("description",)


# after modeltranslation has added the per-language columns, so the history tables carry them
register_history(Category)
register_history(CategoryAttribute)
