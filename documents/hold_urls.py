from django.urls import path

from core.route_access import PAGE, Auditors, PostOnly

from . import hold_views

app_name = "holds"

urlpatterns = [
    path("", hold_views.legal_holds, name="list"),
    path("<int:pk>/release/", hold_views.legal_hold_release_view, name="release"),
]

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py): the legal-hold desk is
# for auditors and administrators, who place and release holds.
access = {
    "list": Auditors,
    "release": PostOnly(Auditors.succeeding_with(PAGE)),
}
