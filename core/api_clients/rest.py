"""API clients on the HTTP side: which client a request comes from, a DRF authentication class for endpoints
that outside applications call, and a django-ratelimit key that counts each client's requests separately."""

import ipaddress

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from core.models import ApiClient

from .services import api_client_for_key, api_client_mark_used

#: the parameter Open311 GeoReport v2 names the key with, in the query or a posted form
KEY_PARAMETER = "api_key"
_UNKNOWN = object()


def presented_key(request, parameter=KEY_PARAMETER):
    """The key a request carries in its query or its posted form ("" when none). ``request`` is Django's or
    DRF's; DRF's reads its parsed form, so the body is read once whichever asks first."""
    key = request.GET.get(parameter)
    if not key and request.method == "POST":
        key = request.POST.get(parameter)
    return key or ""


def api_client_of(request, parameter=KEY_PARAMETER):
    """The active client whose key the request carries, or None; looked up once per request (the rate limit,
    the authentication and the view may all ask) and noted as used."""
    raw = getattr(request, "_request", request)  # DRF's request wraps Django's
    cached = getattr(raw, "_munis_api_client", _UNKNOWN)
    if cached is _UNKNOWN:
        cached = api_client_for_key(presented_key(request, parameter))
        if cached is not None:
            api_client_mark_used(cached)
        raw._munis_api_client = cached
    return cached


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates an outside application by the key in its ``api_key`` query or form parameter (Open311
    style; a subclass may name another ``parameter``). On success ``request.auth`` is the ``ApiClient`` and
    ``request.user`` stays anonymous: the key says which application calls, not which person. A request
    without a key is left to the next authentication class; one with a wrong or revoked key is refused (403,
    as Open311 answers an invalid api_key)."""

    parameter = KEY_PARAMETER

    def authenticate(self, request):
        if not presented_key(request, self.parameter):
            return None
        client = api_client_of(request, self.parameter)
        if client is None:
            raise exceptions.AuthenticationFailed(_("The API key is not valid."), code="invalid_api_key")
        return AnonymousUser(), client


class HasApiClient(permissions.BasePermission):
    """Lets in only requests authenticated as an API client (``ApiKeyAuthentication``)."""

    message = _("This needs an API key (the api_key parameter).")

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiClient)


def client_address(request):
    """The caller's address as a rate-limit counter sees it: an IPv6 caller by its /64 network, which one
    household or server usually holds whole, so hopping addresses within it counts as one caller."""
    address = request.META.get("REMOTE_ADDR") or ""
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def api_client_or_ip(group, request):
    """A django-ratelimit ``key=``: the API client the request's valid key belongs to, so each application has
    its own allowance wherever its servers are, else the caller's address, so callers without a key share
    theirs by address::

        @ratelimit(key=api_client_or_ip, rate="60/m", method="POST", block=True)

    Add ``@ratelimit(key="ip", ...)`` with a rate above the clients' to cap one address whatever key it sends."""
    client = api_client_of(request)
    return f"api-client:{client.pk}" if client is not None else f"ip:{client_address(request)}"
