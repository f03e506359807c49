"""Standing in while away: a staff member names a colleague who works the tasks
they hold for a period (holiday, sick leave, a training course).

The substitute sees those tasks under "My tasks" and may complete or release
them if they could have taken the task themselves (same department; a head's
step needs a head). Reminders reach them too. The tasks keep their holder, so
nothing needs handing back when the period ends.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from core import audit
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.mail import mail_user, site_link

from .models import Delegation

LONGEST = datetime.timedelta(days=366)


def _snapshot(delegation):
    return {"absent": delegation.absent_id, "substitute": delegation.substitute_id,
            "from": delegation.starts_on, "until": delegation.ends_on, "reason": delegation.reason}


def colleagues_of(user):
    """Whom the user may name: active colleagues who work the queues of their organisations, not themselves."""
    from accounts.models import User

    return (User.objects.filter(Q(is_active=True, memberships__organisation_id__in=permissions.work_organisation_ids(user))
                                & permissions.working_memberships(prefix="memberships__"))
            .exclude(pk=user.pk).distinct().order_by("full_name", "id"))


def delegation_create(*, actor, substitute, starts_on, ends_on, reason=""):
    if not permissions.is_case_worker(actor):
        raise PermissionDenied(_("Only clerks and supervisors name substitutes."))
    errors = {}
    if not colleagues_of(actor).filter(pk=substitute.pk).exists():
        errors["substitute"] = [_("Choose a colleague from one of your departments.")]
    if ends_on < starts_on:
        errors["ends_on"] = [_("The absence cannot end before it starts.")]
    elif ends_on < timezone.localdate():
        errors["ends_on"] = [_("This period is already over.")]
    elif ends_on - starts_on > LONGEST:
        errors["ends_on"] = [_("Name a substitute for at most a year at a time.")]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        overlapping = (Delegation.objects.select_for_update()
                       .filter(absent=actor, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on))
        if overlapping.exists():
            raise ValidationFailed(fields={"starts_on": [
                _("You already have a substitute for part of this period. Withdraw that one first.")]})
        delegation = Delegation.objects.create(absent=actor, substitute=substitute, starts_on=starts_on,
                                               ends_on=ends_on, reason=reason)
        audit.record(actor=actor, action="workflows.delegation.create", obj=delegation, after=_snapshot(delegation))
        if substitute.email:
            link = site_link("workflows:inbox") + "?tab=mine"
            mail_user(substitute, "workflows/email/delegation", about=delegation, delegation=delegation, link=link)
    return delegation


def delegation_revoke(*, actor, delegation):
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.absent_id != actor.pk:
            raise PermissionDenied(_("Only the person who named the substitute can withdraw it."))
        if delegation.revoked_at:
            raise InvalidTransition(_("This substitute has already been withdrawn."), code="delegation_revoked")
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="workflows.delegation.revoke", obj=delegation,
                     before={"revoked": None}, after={"revoked": delegation.revoked_at})
    return delegation


def delegations_of(user):
    """What the user named and what they were named for, newest first."""
    from django.db.models import Q

    return (Delegation.objects.filter(Q(absent=user) | Q(substitute=user))
            .select_related("absent", "substitute").order_by("-starts_on", "-id"))


def substitutes_of(user_ids, today=None):
    """``{absent user id: [substitute users]}`` for those away today."""
    found = {}
    for delegation in Delegation.objects.active(today).filter(absent_id__in=user_ids).select_related("substitute"):
        found.setdefault(delegation.absent_id, []).append(delegation.substitute)
    return found
