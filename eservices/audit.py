from django.utils.translation import gettext_lazy as _

from core.audit import register

register("eservices.application.save_draft", _("Draft saved"))
register("eservices.application.upload", _("Document uploaded"))  # before the document store: kept for old trails
register("eservices.application.submit", _("Application submitted"))
register("eservices.application.check_completeness", _("Completeness checked"))
register("eservices.application.resubmit", _("Corrected application resubmitted"))
register("eservices.application.review", _("Technical review completed"))
register("eservices.application.decide", _("Decision taken"))
register("eservices.application.issue_letter", _("Decision letter issued"))
register("eservices.application.download_decision", _("Decision letter downloaded"))
register("eservices.application.close_unanswered", _("Closed: correction not answered in time"))
register("eservices.service_version.draft", _("New draft of a service version"))
register("eservices.service_version.edit", _("Draft of a service version edited"))
register("eservices.service_version.publish", _("Service version published"))
register("eservices.service_version.retire", _("Service version retired"))
register("eservices.service_version.discard", _("Draft of a service version discarded"))
