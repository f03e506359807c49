"""The street-light fault app's part of the route matrix's world (tests/world.py): a fault report of each
citizen, sent to the clerk's department, with a photo and its preview; and how its routes' arguments are built."""

from django.db import transaction

from core import audit
from documents.selectors import document_class
from documents.services import GeneratedFile, case_documents_add
from tests.factories import TINY_PDF
from tests.world import with_preview

from .models import FaultReport


def populate(w, people):
    department = people.clerk.memberships.get().organisation
    (w.fault, w.fault_photo), (w.neighbours_fault, w.neighbours_fault_photo) = (
        _report(reporter, department) for reporter in (people.citizen, people.other_citizen))


def _report(reporter, department):
    """A fault report (no process: no task joins the department's queue) and the photo its reporter added."""
    report = FaultReport.objects.create(reporter=reporter, department=department, description="A dark lamp")
    photo = GeneratedFile.of(TINY_PDF, name="lamp.pdf", content_type="application/pdf")
    with transaction.atomic(), audit.batch():
        (version,) = case_documents_add(actor=reporter, case=report, uploads={
            "photo": ("Photo of the fault", document_class("fault-photo"), photo)})
    return report, with_preview(version)


def _photo(report, photo):
    return {"pk": report.pk, "version_pk": photo.pk}


#: route name -> world -> (URL arguments for the own object, for the other object or None)
ARGUMENTS = {
    "faultapp:document": lambda w: (_photo(w.fault, w.fault_photo), _photo(w.neighbours_fault, w.neighbours_fault_photo)),
    "faultapp:document_preview": lambda w: (_photo(w.fault, w.fault_photo),
                                            _photo(w.neighbours_fault, w.neighbours_fault_photo)),
}
