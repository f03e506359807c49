"""Reads of people and organisations."""

from django.contrib.contenttypes.models import ContentType

from core.audit import trail_key_for
from core.cache import CachedConfiguration
from core.models import AuditEvent

from . import permissions
from .models import Organisation, User

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


def users_granted(obj, permission="view"):
    """The people ``obj`` is shared with by name for ``permission`` (per-object grants)."""
    from guardian.models import UserObjectPermission

    held = UserObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk),
        permission__codename=permissions.grant_codename(type(obj), permission))
    return User.objects.filter(pk__in=held.values("user")).order_by("full_name", "id")


def shares_of(obj, permission="view"):
    """Who ``obj`` is shared with, each with when, by whom and why (from the grant's audit row):
    ``[{"user", "since", "by", "reason"}]``."""
    people = list(users_granted(obj, permission))
    granted = (AuditEvent.objects.for_trail(trail_key_for(obj))
               .filter(action="accounts.grant.add", object_type="accounts.user",
                       object_id__in=[str(person.pk) for person in people]))
    latest = {event.object_id: event for event in granted}  # oldest first: the last grant wins
    rows = []
    for person in people:
        event = latest.get(str(person.pk))
        rows.append({"user": person, "since": event.created if event else None,
                     "by": event.actor_label if event else "", "reason": (event.after or {}).get("reason", "") if event else ""})
    return rows
