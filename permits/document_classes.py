"""The document class the permit's decision letter is issued under (documents.selectors)."""

from django.utils.translation import gettext_lazy as _

from documents.models import Confidentiality, DisposalAction
from documents.selectors import register_document_class

DECISION_LETTER = "decision-letter"


def register():
    register_document_class(DECISION_LETTER, name=_("Decision letter"), retention_years=None,
                            disposal=DisposalAction.KEEP, confidentiality=Confidentiality.INTERNAL)
