from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from core import audit
from core.errors import ValidationFailed
from core.mail import mail_to

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
        body = render_to_string("accounts/email/verify.txt", {"user": user, "link": verification_link(user)})
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
