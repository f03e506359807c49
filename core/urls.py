from django.urls import path

from . import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.audit_search, name="search"),
    path("trail/<str:trail_key>/", audit_views.audit_trail, name="trail"),
]
