"""The document class of a report's photos (documents.selectors)."""

from django.utils.translation import gettext_lazy as _

from documents.models import Confidentiality, DisposalAction
from documents.selectors import register_document_class

REPORT_PHOTO = "report-photo"


def register():
    register_document_class(REPORT_PHOTO, name=_("Photo of a reported problem"), retention_years=3,
                            disposal=DisposalAction.DESTROY, confidentiality=Confidentiality.PUBLIC)
