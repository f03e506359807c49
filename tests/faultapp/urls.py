from core.route_access import CaseReaders
from workflows.case_views import case_document_urls

from .models import FaultReport

app_name = "faultapp"

# a report's documents and their previews, as every case has them (/faults/<pk>/documents/<version_pk>/)
urlpatterns = case_document_urls(FaultReport)

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py). A report is read by its
# reporter and the department it was sent to (its can_read in apps.py): auditors and administrators are not
# named there, so they are answered as anyone else who may not read it.
access = {
    "document": CaseReaders.but(auditor=404, admin=404),
    "document_preview": CaseReaders.but(auditor=404, admin=404),
}
