"""What can be shared with named people, and who may share it.

Seeing a case because one works for its department is queryset scoping, in each domain's
selectors. Sharing *one* case or record with a named person (a clerk of another department, a
citizen's lawyer, an inspector) is a per-object grant, kept by django-guardian. A domain app
registers each model whose objects may be shared that way (``register``): how a person finds one
they may see, which organisation's heads may share it, and where its page is. The grants are
made and taken back by ``accounts.services.access_grant`` / ``access_revoke`` (audited on the
object's trail), and a domain selector ORs ``permissions.granted_ids`` into its scoping.
"""

from collections.abc import Callable
from dataclasses import dataclass

from . import permissions
from .models import Role


@dataclass(frozen=True)
class Shareable:
    #: ``(user, pk) -> object or None``: the object, if the user may see it
    find: Callable
    #: ``object -> organisation id``: whose heads may share it
    organisation_of: Callable
    #: ``object -> path``: its page, where the sharing panel is and where people are sent back to
    url_of: Callable


_registry: dict[str, Shareable] = {}


def register(model, *, find, organisation_of, url_of):
    _registry[model._meta.label_lower] = Shareable(find=find, organisation_of=organisation_of, url_of=url_of)


def label_of(obj):
    """How the sharing URLs name an object's kind (``eservices.application``)."""
    return obj._meta.label_lower


def shareable(label):
    """The registration of the kind called ``label``, or None."""
    return _registry.get(label)


def of(obj):
    return _registry.get(label_of(obj))


def may_share(user, obj):
    """Administrators, and the heads of the organisation the object belongs to, share a
    registered kind of object; nobody shares anything else."""
    entry = of(obj)
    if entry is None or not getattr(user, "is_authenticated", False):
        return False
    return permissions.has_role(user, Role.ADMIN) or entry.organisation_of(obj) in permissions.headed_organisation_ids(user)
