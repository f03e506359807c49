from django.contrib.auth.models import AnonymousUser

from .plugins import Navigation


def navigation(request):
    """``nav.portal`` and ``nav.staff``: the links apps contribute that this user sees (core.plugins)."""
    return {"nav": Navigation(getattr(request, "user", None) or AnonymousUser())}
