from django.utils.translation import gettext_lazy as _

from core.audit import register

register("documents.version.create", _("Document version added"))
register("documents.version.read", _("Confidential document read"))
register("documents.preview.read", _("Confidential document preview viewed"))
register("documents.document.check_out", _("Document checked out"))
register("documents.document.check_in", _("Document checked in"))
register("documents.document.break_lock", _("Document check-out broken"))
register("documents.document.issue", _("Document issued"))
register("documents.document.revoke", _("Issued document revoked"))
register("documents.retention.set", _("Retention set from the case outcome"))
register("documents.hold.place", _("Legal hold placed"))
register("documents.hold.release", _("Legal hold released"))
register("documents.disposal.propose", _("Disposal proposed"))
register("documents.disposal.approve", _("Disposal approved"))
register("documents.disposal.cancel", _("Disposal cancelled"))
register("documents.disposal.dispose", _("Document disposed of"))
register("documents.upload.start", _("Upload started"))
register("documents.upload.complete", _("Upload completed"))
register("documents.upload.cancel", _("Upload cancelled"))
register("documents.upload.expire", _("Unfinished upload expired"))
