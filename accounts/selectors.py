"""Reads of people and organisations."""

from core.cache import CachedConfiguration

from .models import Organisation

#: the organisation tree's shape, read on every application form
organisation_cache = CachedConfiguration("accounts:organisations", timeout=300)


def districts():
    return Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).order_by("name")


def districts_exist():
    """Whether any district is set up (forms offer a district only then)."""
    exist = organisation_cache.get("districts-exist")
    if exist is None:
        exist = districts().exists()
        organisation_cache.set("districts-exist", exist)
    return exist
