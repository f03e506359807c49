"""The name django-axes counts failed log-ins under (``AXES_USERNAME_CALLABLE``)."""

from django.conf import settings


def login_username(request, credentials):
    """The e-mail address as the login matches it (case-insensitively, without surrounding spaces): counted as
    typed, "Clerk@…" and " clerk@…" were three names with five tries each for one account."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    value = source.get(settings.AXES_USERNAME_FORM_FIELD) if source else None
    return value.strip().lower() if isinstance(value, str) else None
