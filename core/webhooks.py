"""Signed HTTP posts between Munis and the systems that deliver messages to it (an SMS gateway, a mail
provider): the sender signs the raw request body with a secret both sides share, as an HMAC-SHA256 in a header,

    X-Munis-Signature: sha256=<the HMAC's 64 hex digits>

and the receiver recomputes it over the body it read and compares the two in constant time. Nothing in the
body is trusted before that; with no secret configured, nothing is accepted."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Munis-Signature"
PREFIX = "sha256="


def sign_body(body, secret):
    """The header's value for ``body`` (bytes) signed with ``secret``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_signed(body, secret, signature):
    """Whether ``signature`` (the header's value, or None) is ``body`` signed with ``secret``. An empty secret
    accepts nothing: a receiver that was never given one refuses every post instead of every forgery."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign_body(body, secret).encode(), signature.strip().lower().encode())
