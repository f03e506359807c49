"""Problem reports by phone: the call centre (clerks and supervisors of the dispatch, MUNIS_REPORTS_DISPATCH) files
a caller's report on their behalf. Staff filed it, so it is routed at once, without moderation; the caller's name
and phone are its private contact, shown to staff only. The caller gets the reference by SMS (when a gateway is
configured), and its news too if they want them."""

import re

from django.conf import settings
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role
from core.errors import PermissionDenied, ValidationFailed

from ..models import Report
from ..services import report_submit

PHONE_NUMBER = re.compile(r"^\+?[0-9][0-9 ()\-]{3,30}$")


def takes_calls(user):
    """A clerk or supervisor of the dispatch: who files reports for callers. Read from the memberships the
    request has already loaded: the staff header asks on every page."""
    return settings.MUNIS_REPORTS_DISPATCH in permissions.organisation_codes(user, Role.CLERK, Role.SUPERVISOR)


def clean_phone(number, *, field="caller_phone"):
    number = " ".join((number or "").split())
    if number and not PHONE_NUMBER.match(number):
        message = _("Enter a phone number with digits only, like +998 90 123 45 67.")
        raise ValidationFailed(message, code="phone_invalid", fields={field: [message]})
    return number


def report_take_call(*, operator, category, description, address="", latitude=None, longitude=None,
                     caller_name="", caller_phone="", wants_updates=False, language=""):
    """File the report a caller gives the call centre; returns it (routed to its supplier's queue)."""
    if not takes_calls(operator):
        raise PermissionDenied(_("Only the call centre's staff (the dispatch) take reports by phone."))
    caller_phone = clean_phone(caller_phone)
    if wants_updates and not caller_phone:
        message = _("Give the caller's phone number to send them the report's news.")
        raise ValidationFailed(message, code="phone_missing", fields={"caller_phone": [message]})
    return report_submit(channel=Report.Channel.PHONE, actor=operator, reporter=None, category=category,
                         description=description, address=address, latitude=latitude, longitude=longitude,
                         contact_name=caller_name, contact_phone=caller_phone, language=language,
                         follow=wants_updates)
