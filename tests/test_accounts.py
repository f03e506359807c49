import re

from axes.models import AccessAttempt
from django.urls import reverse

from accounts.models import User
from core.models import AuditEvent
from core.outbox import outbox_deliver_due

from .factories import PASSWORD, UserFactory

SIGNUP = {
    "full_name": "Zarina Tashkentova", "email": "Zarina@Example.org", "phone": "+998 90 123 45 67",
    "preferred_language": "en", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42",
}


def _link(message):
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://\S+/accounts/verify/\S+/", body).group(0)


def test_citizen_signs_up_confirms_email_over_smtp_and_logs_in(transactional_db, client, smtp_sink):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="zarina@example.org")
    assert not user.is_active and not user.email_verified

    # Unverified accounts cannot log in.
    response = client.post(reverse("accounts:login"), {"username": "zarina@example.org", "password": SIGNUP["password1"]})
    assert response.status_code == 400

    outbox_deliver_due()  # the timers (or a worker) send the verification mail
    [message] = smtp_sink.messages
    assert message["To"] == "zarina@example.org"
    assert "Confirm your e-mail" in message["Subject"]
    path = _link(message).split("8000", 1)[1]
    page = client.get(path)
    assert page.status_code == 200 and "E-mail confirmed" in page.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email_verified
    assert list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True)) == [
        "accounts.user.signup", "accounts.user.verify_email"]

    # The link is single-use.
    again = client.get(path)
    assert again.status_code == 400 and "invalid or has already been used" in again.content.decode()

    response = client.post(reverse("accounts:login"), {"username": "ZARINA@example.org", "password": SIGNUP["password1"]})
    assert response.status_code == 302


def test_signup_refuses_a_taken_address_and_a_weak_password(db, client):
    UserFactory(email="taken@example.org")
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "email": "Taken@example.org"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    response = client.post(reverse("accounts:signup"), {**SIGNUP, "password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert User.objects.count() == 1


def test_tampered_verification_link_is_refused(db, client):
    response = client.get(reverse("accounts:verify", args=["MQ", "bad-token"]))
    assert response.status_code == 400


def test_login_is_locked_after_repeated_failures(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(email="clerk@example.org")
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()


def test_changing_the_case_or_adding_spaces_does_not_escape_the_login_lock(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = UserFactory(email="clerk@example.org")
    for typed in ("clerk@example.org", "Clerk@example.org", " CLERK@EXAMPLE.ORG", "clerk@Example.Org ",
                  "\tcLeRk@example.org  "):
        response = client.post(reverse("accounts:login"), {"username": typed, "password": "wrong"})
        assert response.status_code in (400, 429), typed  # the fifth failure locks
    for typed in ("clerk@example.org", "CLERK@example.org", " clerk@example.org"):
        response = client.post(reverse("accounts:login"), {"username": typed, "password": PASSWORD})
        assert response.status_code == 429, typed
        assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get().username == user.email


def test_password_reset_sends_a_working_link(transactional_db, client, smtp_sink):
    user = UserFactory(email="forgetful@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "forgetful@example.org"})
    assert response.status_code == 302
    [message] = smtp_sink.messages
    body = message.get_payload(decode=True).decode()
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", body).group(1)
    form_url = client.get(path).url  # Django swaps the token for a session marker
    response = client.post(form_url, {"new_password1": "brand-New-pass-77", "new_password2": "brand-New-pass-77"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-New-pass-77")
