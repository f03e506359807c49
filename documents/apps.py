from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")
    url_prefix = "verify/"  # the public verify page: a contract (ARCHITECTURE.md)
    api_urls = "documents.api.urls"  # resumable uploads
    more_urls = {"audit/holds/": "documents.hold_urls"}  # the auditors' legal-hold desk, beside core's audit/

    def ready(self):
        from core import housekeeping

        from . import audit, checks  # noqa: F401
        from .models import DocumentClass
        from .previews import previews_make_pending
        from .resumable import forget_expired
        from .selectors import class_cache
        from .sweeper import blobs_sweep

        class_cache.forget_on_change_of(DocumentClass)
        housekeeping.register("documents.uploads.expire", lambda now: forget_expired(now))
        housekeeping.register("documents.previews.make", lambda now: previews_make_pending(now=now))
        housekeeping.register("documents.blobs.sweep", lambda now: blobs_sweep(now=now))
