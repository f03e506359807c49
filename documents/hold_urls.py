from django.urls import path

from . import hold_views

app_name = "holds"

urlpatterns = [
    path("", hold_views.legal_holds, name="list"),
    path("<int:pk>/release/", hold_views.legal_hold_release_view, name="release"),
]
