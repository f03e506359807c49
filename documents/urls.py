from django.urls import path

from core.route_access import Public

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.lookup, name="verify_lookup"),
    path("<str:code>/", views.verify, name="verify"),
]

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
access = {
    "verify_lookup": Public,
    "verify": Public,  # anyone holding an issued document may check it, with no account
}
