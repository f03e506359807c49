from django.urls import path

from core.route_access import SignedIn

from . import views

app_name = "flowapp"

urlpatterns = [
    path("", views.licences, name="licences"),
]

access = {"licences": SignedIn}  # who may open it (core.route_access; checked by tests/test_route_matrix.py)
