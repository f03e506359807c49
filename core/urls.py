from django.urls import path

from . import audit_views
from .route_access import Auditors

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_search, name="search"),
    path("trail/<str:trail_key>/", audit_views.audit_trail, name="trail"),
]

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
access = {
    "search": Auditors,
    "trail": Auditors,
}
