from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.lookup, name="verify_lookup"),
    path("<str:code>/", views.verify, name="verify"),
]
