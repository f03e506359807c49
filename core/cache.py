"""Cached reads of configuration that changes rarely (the catalog, holiday
calendars), forgotten the moment it changes.

A ``CachedConfiguration`` keeps a generation number in the cache and puts it
in every key, so one increment forgets every entry at once. Workers sharing a
cache (CACHE_URL) see the change immediately; with the per-process default
cache, other processes within the entries' timeout.

The cache is only ever a shortcut: when it fails (a Redis that is down), a read
goes to the database, a value is not kept, and a change still commits and is
answered. A generation that could not be moved on is moved on at this process's
next use of the cache, which it reads around until then; other processes may
serve an entry cached before the change until the entry's timeout.
"""

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: what a cache raises when its server is down or drops the connection: Django's RedisCache
#: (CACHE_URL=redis://…) raises redis-py's errors, socket-level backends OSError
CACHE_FAILURES = (RedisError, OSError)


class CachedConfiguration:
    def __init__(self, name, timeout):
        self.name = name
        self.timeout = timeout
        self._generation_key = f"{name}:generation"
        self._forget_pending = False

    def key(self, suffix):
        return f"{self.name}:{cache.get(self._generation_key, 0)}:{suffix}"

    def get(self, suffix):
        """The cached value, or None: not cached, or the cache failed (read the database then)."""
        if self._forget_pending and not self.forget():
            return None
        try:
            return cache.get(self.key(suffix))
        except CACHE_FAILURES as exc:
            self._failed("read", exc)
            return None

    def set(self, suffix, value):
        """Keep ``value``; a cache that fails keeps nothing, and the next read goes to the database."""
        if self._forget_pending:
            return  # never under the generation the change could not move on
        try:
            cache.set(self.key(suffix), value, self.timeout)
        except CACHE_FAILURES as exc:
            self._failed("write", exc)

    def forget(self):
        """Forget every entry; False when the cache failed (this process then reads around it and
        tries again at its next use of the cache)."""
        try:
            try:
                cache.incr(self._generation_key)
            except ValueError:
                cache.set(self._generation_key, 1, None)
        except CACHE_FAILURES as exc:
            self._forget_pending = True
            self._failed("forget", exc)
            return False
        self._forget_pending = False
        return True

    def _failed(self, what, exc):
        log.warning("Cache %s of %s failed (%s: %s); read from the database instead%s", what, self.name,
                    type(exc).__name__, exc,
                    f"; entries cached before the change may be served for up to {self.timeout} s"
                    if self._forget_pending else "")

    def forget_on_change_of(self, *models):
        """Forget every entry when a row of ``models`` is saved or deleted: at once,
        and again at commit, so a read between the two cannot cache the old state."""
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(self._changed, sender=model, weak=False,
                               dispatch_uid=f"{self.name}:{model._meta.label}:{signal is post_save}")

    def _changed(self, **kwargs):
        self.forget()
        transaction.on_commit(self.forget)
