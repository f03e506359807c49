"""Cached reads of configuration that changes rarely (the catalog, holiday
calendars), forgotten the moment it changes.

A ``CachedConfiguration`` keeps a generation number in the cache and puts it
in every key, so one increment forgets every entry at once. Workers sharing a
cache (CACHE_URL) see the change immediately; with the per-process default
cache, other processes within the entries' timeout.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save


class CachedConfiguration:
    def __init__(self, name, timeout):
        self.name = name
        self.timeout = timeout
        self._generation_key = f"{name}:generation"

    def key(self, suffix):
        return f"{self.name}:{cache.get(self._generation_key, 0)}:{suffix}"

    def get(self, suffix):
        return cache.get(self.key(suffix))

    def set(self, suffix, value):
        cache.set(self.key(suffix), value, self.timeout)

    def forget(self):
        """Forget every entry."""
        try:
            cache.incr(self._generation_key)
        except ValueError:
            cache.set(self._generation_key, 1, None)

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
