"""The security log: a refused attempt on an object (403, or a 404 a view answered) names who, from where,
what and under which request id, on the ``munis.security`` logger, so repeated probing of other people's
cases can be seen and followed. Written where refusals become responses (core.middleware, core.api,
core.views), never per view."""

import logging

from django.urls import Resolver404

from .context import current_request_id

security_logger = logging.getLogger("munis.security")

LOGGED_STATUSES = (403, 404)


def log_refusal(request, *, status, exception=None):
    """Log a 403/404 a view or a service answered (an address that matches no page is not an attempt on
    an object, so the resolver's 404 is left out)."""
    if status not in LOGGED_STATUSES or isinstance(exception, Resolver404):
        return
    # django.request's own line for this response is then left out (RefusalsLoggedOnce); DRF wraps the request
    getattr(request, "_request", request).refusal_logged = True
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    ip = request.META.get("REMOTE_ADDR") or None
    request_id = getattr(request, "request_id", "") or current_request_id()
    security_logger.warning(
        "Refused %s %s %s to user %s from %s (request %s)", status, request.method, request.path,
        user_id if user_id is not None else "anonymous", ip or "unknown address", request_id or "-",
        extra={"status": status, "user_id": user_id, "ip": ip, "path": request.path, "method": request.method,
               "refused_request_id": request_id},
    )


class RefusalsLoggedOnce(logging.Filter):
    """On ``django.request``: a 403 or 404 is logged once, as one line. Django logs every 4xx it answers, a 403
    with the exception's traceback; a refusal the security log has already written (who, from where) is left
    out, and any other (an address that matches no page) keeps Django's line without the traceback, which
    says nothing about a refusal."""

    def filter(self, record):
        if getattr(record, "status_code", None) not in LOGGED_STATUSES:
            return True
        if getattr(getattr(record, "request", None), "refusal_logged", False):
            return False
        record.exc_info = record.exc_text = None
        return True
