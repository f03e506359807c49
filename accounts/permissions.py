"""Who may do what: the one place role and organisation checks live.

Which roles work an organisation's tasks, and which head it, is declared per
organisation kind in ``accounts.models.WORKING_ROLES``; every check below reads
it. Object-level scoping is done by selectors (``applications_visible_to`` and
friends) built on these helpers, so views, the API and commands agree; a case
shared with a named person is a per-object grant (``accounts.grants``).
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

from .models import WORKING_ROLES, Membership, Role


def _memberships(user):
    """``[(organisation id, organisation kind, role, organisation code)]`` of the user, read once per request."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_munis_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("organisation_id", "organisation__kind", "role",
                                                                         "organisation__code"))
        user._munis_memberships = cached
    return cached


def roles_of(user):
    roles = {role for _org, _kind, role, _code in _memberships(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def has_role(user, *roles):
    return bool(roles_of(user) & set(roles))


def organisation_ids(user, *roles):
    """Organisations where the user holds any of ``roles``."""
    return {org for org, _kind, role, _code in _memberships(user) if role in roles}


def organisation_codes(user, *roles):
    """Codes of the organisations where the user holds any of ``roles`` (to recognise a configured one, such as
    the reports' dispatch, without a query)."""
    return {code for _org, _kind, role, code in _memberships(user) if role in roles}


def _working(kind, role, *, heads):
    roles = WORKING_ROLES.get(kind)
    return roles is not None and role in (roles.heads if heads else roles.all)


def work_organisation_ids(user):
    """Organisations whose queue the user works: a role their kind gives work to (a clerk of a
    department, a supplier's staff, mahalla staff...; the heads too)."""
    return {org for org, kind, role, _code in _memberships(user) if _working(kind, role, heads=False)}


def headed_organisation_ids(user):
    """Organisations the user heads: their steps for heads only, reassigning, escalations."""
    return {org for org, kind, role, _code in _memberships(user) if _working(kind, role, heads=True)}


def is_case_worker(user):
    """Works some organisation's queue (the staff inbox is theirs)."""
    return bool(work_organisation_ids(user))


def can_read_audit(user):
    return has_role(user, Role.AUDITOR, Role.ADMIN)


def can_read_all_cases(user):
    """Auditors (read-only) and administrators see every case."""
    return has_role(user, Role.AUDITOR, Role.ADMIN)


def working_memberships(*, heads=False, prefix=""):
    """A ``Q`` for memberships (reached through ``prefix``, e.g. ``"memberships__"``) whose role
    works (``heads``: heads) the queue of its organisation, by the organisation's kind."""
    matches = Q(pk__in=[])
    for kind, roles in WORKING_ROLES.items():
        matches |= Q(**{f"{prefix}organisation__kind": kind,
                        f"{prefix}role__in": sorted(roles.heads if heads else roles.all)})
    return matches


def organisation_members(organisation_id, *, heads=False):
    """Active users who work the organisation's queue (``heads``: who head it), e.g. whom to
    remind or escalate to."""
    from .models import User

    return User.objects.filter(
        Q(is_active=True, memberships__organisation_id=organisation_id)
        & working_memberships(heads=heads, prefix="memberships__"),
    ).distinct().order_by("id")


# --- per-object grants (django-guardian) -------------------------------------------------------

def grant_codename(model, permission):
    """The codename of ``permission`` on ``model``: an action (``"view"``) becomes
    ``view_<model>``; a codename (``"view_application"``, ``"eservices.view_application"``) stays."""
    codename = permission.rsplit(".", 1)[-1]
    suffix = f"_{model._meta.model_name}"
    return codename if codename.endswith(suffix) else f"{codename}{suffix}"


def grant_permission(model, permission):
    """The ``Permission`` row a grant of ``permission`` on ``model`` is made of."""
    return Permission.objects.get(content_type=ContentType.objects.get_for_model(model),
                                  codename=grant_codename(model, permission))


def has_object_grant(user, permission, obj):
    """Whether ``obj`` is shared with the user for ``permission``: a grant made to them by name
    (not through a group, and not because they are a superuser)."""
    from guardian.shortcuts import get_user_perms

    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return get_user_perms(user, obj).filter(codename=grant_codename(type(obj), permission)).exists()


def granted_ids(user, model, permission="view"):
    """The primary keys of the ``model`` objects shared with the user for ``permission``, as a
    subquery: a domain selector ORs ``Q(pk__in=granted_ids(user, Model))`` into its scoping."""
    from guardian.models import UserObjectPermission

    if not getattr(user, "is_authenticated", False):
        return UserObjectPermission.objects.none().values("object_pk")
    pk = model._meta.pk
    as_pk = models.BigIntegerField() if isinstance(pk, models.IntegerField) else type(pk)()
    return (UserObjectPermission.objects
            .filter(user=user, content_type=ContentType.objects.get_for_model(model),
                    permission__codename=grant_codename(model, permission))
            .annotate(granted_pk=Cast("object_pk", output_field=as_pk)).values("granted_pk"))
