"""Row history (django-simple-history) for every business model, through one
entry point so all models share the same options."""

import functools

import simple_history
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords


class SharedHistoryManager(HistoryManager):
    """simple-history builds its manager class anew (through ``inspect``) on
    every ``.history`` access — that is, on every history write. The class is
    the same each time, so build it once."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


def History(**options):
    """Use as ``history = History()`` on a model."""
    return HistoricalRecords(history_manager=SharedHistoryManager, **options)


def register_history(model, **options):
    """For models whose history must be registered late (after modeltranslation)."""
    simple_history.register(model, history_manager=SharedHistoryManager, **options)
