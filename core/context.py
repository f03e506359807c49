"""Request-scoped context (correlation id, client IP) for audit rows and log records.

The actor is never taken from here: services receive it explicitly.
"""

import contextvars
from contextlib import contextmanager

_request_id = contextvars.ContextVar("munis_request_id", default="")
_client_request_id = contextvars.ContextVar("munis_client_request_id", default="")
_ip = contextvars.ContextVar("munis_ip", default=None)


def current_request_id():
    """Our own id of the request being served (never the client's)."""
    return _request_id.get()


def current_client_request_id():
    """The X-Request-ID the client sent, if any: logged beside ours, never trusted as an id."""
    return _client_request_id.get()


def current_ip():
    return _ip.get()


@contextmanager
def request_context(*, request_id, ip, client_request_id=""):
    tokens = (_request_id.set(request_id), _client_request_id.set(client_request_id), _ip.set(ip))
    try:
        yield
    finally:
        for var, token in zip((_request_id, _client_request_id, _ip), tokens, strict=True):
            var.reset(token)
