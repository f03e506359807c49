from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Single-use: the token covers the verified flag, so it dies once used."""

    key_salt = "munis.accounts.email-verification"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_verified}{user.is_active}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
