"""Who may do what: the one place role and organisation checks live.

Object-level scoping is done by selectors (``applications_visible_to`` and
friends) built on these helpers, so views, the API and commands agree.
"""

from .models import Membership, Role

STAFF_ROLES = (Role.CLERK, Role.SUPERVISOR)


def _memberships(user):
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_munis_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._munis_memberships = cached
    return cached


def roles_of(user):
    roles = {role for _org, role in _memberships(user)}
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    return roles


def has_role(user, *roles):
    return bool(roles_of(user) & set(roles))


def organisation_ids(user, *roles):
    """Organisations where the user holds any of ``roles``."""
    return {org for org, role in _memberships(user) if role in roles}


def work_department_ids(user):
    """Departments whose queue the user works (clerk or supervisor)."""
    return organisation_ids(user, *STAFF_ROLES)


def supervised_department_ids(user):
    return organisation_ids(user, Role.SUPERVISOR)


def is_case_worker(user):
    return has_role(user, *STAFF_ROLES)


def can_read_audit(user):
    return has_role(user, Role.AUDITOR, Role.ADMIN)


def can_read_all_cases(user):
    """Auditors (read-only) and administrators see every case."""
    return has_role(user, Role.AUDITOR, Role.ADMIN)


def department_members(department_id, *roles):
    """Active users holding any of ``roles`` in a department, e.g. whom to remind or escalate to."""
    from .models import User

    return User.objects.filter(
        is_active=True, memberships__organisation_id=department_id, memberships__role__in=roles or STAFF_ROLES,
    ).distinct().order_by("id")
