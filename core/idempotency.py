"""Retried form posts do their work once.

A form that changes something carries a one-time key (``{% idempotency_key %}``
renders it as a hidden field). A view decorated with ``@idempotent_post`` records
the key in the same transaction as the work. A second post with the same key —
a double click, the browser resending after a dropped connection, the same post
racing in from a second tab — waits for the first to commit, and is answered
with the first one's redirect and a note that nothing was done again. A post
that failed (a form error, a domain error) leaves no key behind, so the person
can correct it and send the same form again.
"""

import datetime
import re
import uuid
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotentRequest

FIELD = "idempotency_key"
KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")
KEPT_FOR = datetime.timedelta(days=2)


def new_key():
    return uuid.uuid4().hex


def idempotent_post(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not key or not request.user.is_authenticated or not KEY.match(key):
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(user=request.user, key=key, path=request.path[:300])
            except IntegrityError:
                record = None
            if record is not None:
                response = view(request, *args, **kwargs)
                if response.status_code in (301, 302, 303) and response.get("Location"):
                    record.location = response["Location"][:500]
                    record.save(update_fields=["location"])
                else:  # nothing done that a retry must not repeat
                    transaction.set_rollback(True)
                return response
        return _replay(request, key)

    return wrapper


def _replay(request, key):
    first = IdempotentRequest.objects.filter(user=request.user, key=key).first()
    messages.info(request, _("This was already sent and done; nothing was done a second time."))
    return redirect(first.location if first and first.location else request.path)


def forget_old(now=None):
    """Keys older than two days are dropped (run by the timers)."""
    return IdempotentRequest.objects.filter(created_at__lt=(now or timezone.now()) - KEPT_FOR).delete()[0]
