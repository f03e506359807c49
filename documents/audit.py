from django.utils.translation import gettext_lazy as _

from core.audit import register

register("documents.version.create", _("Document version added"),
         message=_("%(actor)s added version %(after.version)s of %(object)s."))
register("documents.version.read", _("Confidential document read"),
         message=_("%(actor)s read the confidential document %(object)s."))
register("documents.preview.read", _("Confidential document preview viewed"),
         message=_("%(actor)s viewed a preview of the confidential document %(object)s."))
register("documents.document.check_out", _("Document checked out"),
         message=_("%(actor)s checked out %(object)s for editing."))
register("documents.document.check_in", _("Document checked in"), message=_("%(actor)s checked in %(object)s."))
register("documents.document.break_lock", _("Document check-out broken"),
         message=_("%(actor)s broke the check-out of %(object)s."))
register("documents.document.issue", _("Document issued"),
         message=_("%(actor)s issued %(object)s (verification code %(after.code)s)."))
register("documents.document.revoke", _("Issued document revoked"),
         message=_("%(actor)s revoked the issued document %(object)s."))
register("documents.retention.set", _("Retention set from the case outcome"),
         message=_("%(actor)s set how long %(object)s is kept, from the case outcome."))
register("documents.hold.place", _("Legal hold placed"), message=_("%(actor)s placed a legal hold on %(object)s."))
register("documents.hold.release", _("Legal hold released"),
         message=_("%(actor)s released the legal hold on %(object)s."))
register("documents.disposal.propose", _("Disposal proposed"),
         message=_("%(actor)s proposed to dispose of %(object)s."))
register("documents.disposal.approve", _("Disposal approved"),
         message=_("%(actor)s approved the disposal of %(object)s."))
register("documents.disposal.cancel", _("Disposal cancelled"),
         message=_("%(actor)s cancelled the disposal of %(object)s."))
register("documents.document.discard", _("Document discarded with its unfiled case"),
         message=_("%(actor)s discarded %(object)s with the unsubmitted case it belonged to; its files are deleted."))
register("documents.disposal.dispose", _("Document disposed of"), message=_("%(actor)s disposed of %(object)s."))
register("documents.upload.start", _("Upload started"), message=_("%(actor)s started uploading %(object)s."))
register("documents.upload.complete", _("Upload completed"), message=_("%(actor)s finished uploading %(object)s."))
register("documents.upload.keep", _("File kept for a form sent back"),
         message=_("%(actor)s's file %(object)s was kept for the form they are correcting."))
register("documents.upload.cancel", _("Upload cancelled"), message=_("%(actor)s cancelled the upload %(object)s."))
register("documents.blob.sweep", _("Unused blob removed from the document storage"),
         message=_("%(actor)s removed %(object)s (%(after.size)s bytes) from the document storage: nothing kept "
                   "names it (%(after.reason)s)."))
register("documents.upload.expire", _("Unfinished upload expired"),
         message=_("The unfinished upload %(object)s expired and was removed."))
