from django.urls import path

from core.route_access import PAGE, CaseReaders, Methods, OwnerOnly, Public, SignedIn
from workflows.case_views import case_document_urls

from . import views
from .models import Application

app_name = "eservices"

urlpatterns = [
    path("services/", views.catalog, name="catalog"),
    path("services/<slug:code>/", views.service_detail, name="service"),
    path("services/<slug:code>/apply/", views.apply, name="apply"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/edit/", views.apply, name="edit_draft"),
    path("applications/<int:pk>/delete/", views.delete_draft, name="delete_draft"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/correction/", views.correction, name="correction"),
    path("applications/<int:pk>/decision.pdf", views.decision_download, name="decision"),
    *case_document_urls(Application, prefix="applications/"),  # "document", "document_preview": the kernel's
]

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
access = {
    "catalog": Public,
    "service": Public,
    "apply": SignedIn,
    "my_applications": SignedIn,
    "application": CaseReaders,
    "edit_draft": OwnerOnly,
    "delete_draft": Methods(GET=OwnerOnly, POST=OwnerOnly.succeeding_with(PAGE)),
    "correction": OwnerOnly,
    "withdraw": Methods(GET=OwnerOnly, POST=OwnerOnly.succeeding_with(PAGE)),
    # a decided permit has been through every department's review: fire safety's clerk reads it too
    "decision": CaseReaders.but(other_clerk=200),
    "document": CaseReaders,
    "document_preview": CaseReaders,
}
