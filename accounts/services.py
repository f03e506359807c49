from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.mail import mail_to, mail_user, render_text

from . import permissions, sharing
from .models import User
from .tokens import email_verification_token


def user_signup(*, email, full_name, password, phone="", preferred_language="en"):
    """Create an inactive citizen account and e-mail a verification link."""
    email = User.objects.normalize_email(email).lower()
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationFailed(fields={"email": [_("An account with this e-mail address already exists.")]})
        user = User(email=email, full_name=full_name, phone=phone, preferred_language=preferred_language, is_active=False)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit.record(actor=user, action="accounts.user.signup", obj=user, after={"email": email})
        _send_verification(user)
    return user


def verification_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:verify", args=[uid, token])


def _send_verification(user):
    with translation.override(user.preferred_language):
        body = render_text("accounts/email/verify.txt", {"user": user, "link": verification_link(user)})
        subject = _("Confirm your e-mail address")
    mail_to(user.email, subject, body, recipient=user, language=user.preferred_language, about=user)


def user_verify_email(*, uidb64, token):
    """Activate the account the link was made for. Returns the user or None."""
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        user = User.objects.get(pk=pk)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None
    if not email_verification_token.check_token(user, token):
        return None
    with transaction.atomic():
        user.is_active = True
        user.email_verified = True
        user.save(update_fields=["is_active", "email_verified"])
        audit.record(actor=user, action="accounts.user.verify_email", obj=user, after={"email_verified": True})
    return user


# --- the person's own profile ------------------------------------------------------------------

#: what a person changes on their profile ("Your account"); the e-mail address they sign in with is not one
PROFILE_FIELDS = ("full_name", "phone", "preferred_language", "optional_notifications")


def user_profile_update(*, actor, user, **values):
    """Change ``user``'s own details (``PROFILE_FIELDS``; the others keep their value). Only the person
    themselves does this. Audited with the fields that changed, before and after; nothing changed writes
    nothing. Returns the names of the fields that changed."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("Only the person themselves can change their profile."))
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=user.pk)
        before = {field: getattr(person, field) for field in PROFILE_FIELDS}
        for field, value in values.items():
            setattr(person, field, value.strip() if isinstance(value, str) else value)
        changed = [field for field in PROFILE_FIELDS if getattr(person, field) != before[field]]
        if not changed:
            return []
        try:
            person.full_clean(exclude=["password"], validate_unique=False)
        except DjangoValidationError as exc:
            raise ValidationFailed(fields=exc.message_dict) from exc
        person.save(update_fields=changed)
        audit.record(actor=actor, action="accounts.user.profile_update", obj=person,
                     before={field: before[field] for field in changed},
                     after={field: getattr(person, field) for field in changed})
    for field in changed:  # the caller's copy (request.user) reads what was saved
        setattr(user, field, getattr(person, field))
    return changed


# --- sharing one object with a named person (per-object grants) ---------------------------------

def _grant_checked(*, actor, user, obj, reason):
    if not sharing.may_share(actor, obj):
        raise PermissionDenied(_("Only a head of the organisation this belongs to, or an administrator, can share it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why.")]})
    return reason


def _holds(user, perm, obj):
    """Whether the grant exists, whatever the state of the account (a deactivated person's grant is
    still there to take back)."""
    from guardian.models import UserObjectPermission

    return UserObjectPermission.objects.filter(user=user, permission=perm, content_type=perm.content_type,
                                               object_pk=str(obj.pk)).exists()


def _grant_state(user, perm, granted):
    return {"user": user.pk, "email": user.email, "permission": f"{perm.content_type.app_label}.{perm.codename}",
            "granted": granted}


def access_grant(*, actor, user, obj, permission="view", reason):
    """Share ``obj`` with ``user`` by name (``permission``: "view"), for ``reason``. Audited on the
    object's trail; the person gets an e-mail with its link."""
    from guardian.shortcuts import assign_perm

    reason = _grant_checked(actor=actor, user=user, obj=obj, reason=reason)
    if not user.is_active:
        raise ValidationFailed(fields={"email": [_("This account is not active.")]})
    perm = permissions.grant_permission(type(obj), permission)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one grant or revocation per person at a time
        if _holds(user, perm, obj):
            raise ValidationFailed(fields={"email": [_("%(name)s already has access.") % {"name": user}]})
        assign_perm(perm, user, obj)
        audit.record(actor=actor, action="accounts.grant.add", obj=user, trail=obj, label=f"{obj} — {user}",
                     before=_grant_state(user, perm, False), after={**_grant_state(user, perm, True), "reason": reason})
        link = settings.SITE_URL.rstrip("/") + sharing.of(obj).url_of(obj)
        mail_user(user, "accounts/email/shared", about=obj, obj=obj, actor=actor, link=link)


def access_revoke(*, actor, user, obj, permission="view", reason):
    """Take back what ``access_grant`` gave ``user`` on ``obj``. Audited on the object's trail."""
    from guardian.shortcuts import remove_perm

    reason = _grant_checked(actor=actor, user=user, obj=obj, reason=reason)
    perm = permissions.grant_permission(type(obj), permission)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if not _holds(user, perm, obj):
            raise InvalidTransition(_("%(name)s has no access to take back.") % {"name": user}, code="not_granted")
        remove_perm(perm, user, obj)
        audit.record(actor=actor, action="accounts.grant.revoke", obj=user, trail=obj, label=f"{obj} — {user}",
                     before=_grant_state(user, perm, True), after={**_grant_state(user, perm, False), "reason": reason})
