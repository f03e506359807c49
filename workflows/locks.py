"""The row lock every case flow takes on its process (``CaseFlow.lock_impl``).

Claim, complete and joins hold ``SELECT … FOR UPDATE`` on the process row,
waiting rather than failing, so they never interleave on PostgreSQL. A
process created in the running transaction is the exception: no other
transaction can see its row before commit, so locking it (and a savepoint
around the lock) would be round trips that protect nothing: every flow start
would pay them.
"""

import threading
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.db.models.signals import post_save
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process

_created = threading.local()


def _forget_created():
    _created.pk = None


def process_saved(sender, instance, created, **kwargs):
    if created:
        _created.pk = instance.pk
        transaction.on_commit(_forget_created)  # rolled back, the row is gone and nothing can lock it


class ProcessRowLock:
    @contextmanager
    def __call__(self, flow_class, process_pk):
        if process_pk == getattr(_created, "pk", None):
            # Created by the enclosing transaction, which undoes it on error.
            with transaction.atomic(savepoint=False):
                yield
            return
        with transaction.atomic():
            try:
                flow_class.process_class._default_manager.filter(pk=process_pk).select_for_update().exists()
            except DatabaseError as error:
                raise FlowLockFailed(f"Lock failed for {flow_class}") from error
            yield


def connect():
    post_save.connect(process_saved, sender=Process, dispatch_uid="munis-process-created")
