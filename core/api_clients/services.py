"""Write paths and the key lookup of API clients: register one (its key is returned once), revoke it, give it a
new key; find the client a key belongs to."""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import InvalidTransition, ValidationFailed
from core.models import ApiClient

#: how many characters of a key are kept in clear to tell keys apart (48 of its 256 random bits)
PREFIX_LENGTH = 8
#: a key is 43 characters; anything far longer is not one of ours and is not hashed
MAX_KEY_LENGTH = 200
#: ``last_used_at`` is written at most this often per client, so a busy client costs no write per request
USE_RESOLUTION = datetime.timedelta(minutes=1)


def key_hash(key):
    """The SHA-256 (hex) a key is stored and looked up as. A plain hash suffices: keys are 256 random bits, so
    there is nothing to guess from it, and no secret of ours (SECRET_KEY) is needed to check one."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key():
    key = secrets.token_urlsafe(32)
    return key, key[:PREFIX_LENGTH], key_hash(key)


def _state(client):
    return {"name": client.name, "contact": client.contact, "key_prefix": client.key_prefix,
            "is_active": client.is_active}


def _name_taken():
    return ValidationFailed(fields={"name": [_("An API client with this name exists already.")]},
                            code="api_client_name_taken")


def api_client_register(*, name, contact="", actor=None):
    """Register an outside application. Returns ``(client, key)``: the key is not stored, so this is the only
    time anyone sees it."""
    name = (name or "").strip()
    key, prefix, digest = _new_key()
    client = ApiClient(name=name, contact=(contact or "").strip(), key_prefix=prefix, key_hash=digest)
    if name and api_client_named(name) is not None:
        raise _name_taken()
    try:
        client.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict) from exc
    try:
        with transaction.atomic():
            client.save(force_insert=True)
            audit.record(actor=actor, action="core.api_client.register", obj=client, after=_state(client))
    except IntegrityError as exc:  # registered at the same moment under the same name
        if ApiClient.objects.filter(name__iexact=name).exists():
            raise _name_taken() from exc
        raise
    return client, key


def _locked_live(client):
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is not None:
        raise InvalidTransition(_("The API client %(name)s was revoked already.") % {"name": locked.name},
                                code="api_client_revoked")
    return locked


def api_client_revoke(*, client, actor):
    """Stop the client's key working, for good (an application that needs access again is registered anew or,
    before revoking, given a new key). The client stays, inactive, named by its trail."""
    with transaction.atomic():
        client = _locked_live(client)
        before = _state(client)
        client.is_active = False
        client.revoked_at = timezone.now()
        client.save(update_fields=["is_active", "revoked_at"])
        audit.record(actor=actor, action="core.api_client.revoke", obj=client, before=before,
                     after={**_state(client), "revoked_at": client.revoked_at})
    return client


def api_client_rotate_key(*, client, actor):
    """Give the client a new key; the old one stops working at once. Returns ``(client, key)``, the key shown
    once as at registration."""
    key, prefix, digest = _new_key()
    with transaction.atomic():
        client = _locked_live(client)
        before = _state(client)
        client.key_prefix, client.key_hash = prefix, digest
        client.save(update_fields=["key_prefix", "key_hash"])
        audit.record(actor=actor, action="core.api_client.rotate_key", obj=client, before=before,
                     after=_state(client))
    return client, key


def api_client_named(name):
    """The client registered under ``name`` (in any case), or None."""
    return ApiClient.objects.filter(name__iexact=(name or "").strip()).first()


def api_client_for_key(key):
    """The active client whose key ``key`` is, or None (no such key, a revoked client, not a key at all).

    The key is looked up by its hash, never compared as text, so how long the lookup takes says nothing about
    how close a guess came."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        return None
    return ApiClient.objects.filter(key_hash=key_hash(key), is_active=True).first()


def api_client_mark_used(client, *, now=None):
    """Note that ``client`` called now, writing at most once per ``USE_RESOLUTION``: a client that called a
    moment ago costs nothing, and the condition keeps simultaneous requests to one write."""
    now = now or timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < USE_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - USE_RESOLUTION)
    ApiClient.objects.filter(stale, pk=client.pk).update(last_used_at=now)
    client.last_used_at = now
