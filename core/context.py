"""Request-scoped context (correlation id, client IP) for audit rows.

The actor is never taken from here: services receive it explicitly.
"""

import contextvars
from contextlib import contextmanager

_request_id = contextvars.ContextVar("munis_request_id", default="")
_ip = contextvars.ContextVar("munis_ip", default=None)


def current_request_id():
    return _request_id.get()


def current_ip():
    return _ip.get()


@contextmanager
def request_context(*, request_id, ip):
    t1 = _request_id.set(request_id)
    t2 = _ip.set(ip)
    try:
        yield
    finally:
        _request_id.reset(t1)
        _ip.reset(t2)
