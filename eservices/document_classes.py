"""The document class applications store their documents under (documents.selectors)."""

from django.utils.translation import gettext_lazy as _

from documents.models import Confidentiality, DisposalAction
from documents.selectors import register_document_class

APPLICATION_DOCUMENT = "application-document"


def register():
    register_document_class(APPLICATION_DOCUMENT, name=_("Application document"), retention_years=10,
                            disposal=DisposalAction.TRANSFER, confidentiality=Confidentiality.CONFIDENTIAL)
