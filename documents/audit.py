from django.utils.translation import gettext_lazy as _

from core.audit import register

register("documents.version.create", _("Document version added"))
register("documents.version.read", _("Confidential document read"))
register("documents.document.check_out", _("Document checked out"))
register("documents.document.check_in", _("Document checked in"))
register("documents.document.break_lock", _("Document check-out broken"))
