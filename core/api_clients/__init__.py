"""Registered outside applications ("API clients"): an Open311 app, a national platform. Each calls with its
own API key, made once by ``manage.py create_api_client`` or the admin and kept only as a hash; a revoked or
replaced key stops working at once. Every change is audited (core.api_clients.audit)."""

from .rest import ApiKeyAuthentication, HasApiClient, api_client_of, api_client_or_ip, presented_key
from .services import (
    api_client_for_key,
    api_client_mark_used,
    api_client_named,
    api_client_register,
    api_client_revoke,
    api_client_rotate_key,
)

__all__ = [
    "ApiKeyAuthentication", "HasApiClient", "api_client_for_key", "api_client_mark_used", "api_client_named",
    "api_client_of", "api_client_or_ip", "api_client_register", "api_client_revoke", "api_client_rotate_key",
    "presented_key",
]
