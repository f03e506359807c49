from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.templatetags.static import static

from .branding import municipality_name
from .plugins import Navigation


def navigation(request):
    """``nav.portal`` and ``nav.staff``: the links apps contribute that this user sees (core.plugins)."""
    return {"nav": Navigation(getattr(request, "user", None) or AnonymousUser())}


def branding(request):
    """``municipality`` (its name in the current language) and ``logo_url`` for the header and the titles."""
    logo = settings.MUNIS_LOGO
    return {"municipality": municipality_name(),
            "logo_url": logo if logo.startswith(("/", "https://", "http://")) else static(logo)}
