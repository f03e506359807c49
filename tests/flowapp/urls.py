from django.urls import path

from . import views

app_name = "flowapp"

urlpatterns = [
    path("", views.licences, name="licences"),
]
