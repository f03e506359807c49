from .permissions import can_read_audit, is_case_worker, roles_of


def roles(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {
        "user_roles": roles_of(user),
        "nav_staff": is_case_worker(user),
        "nav_audit": can_read_audit(user),
    }
