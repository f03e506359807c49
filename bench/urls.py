"""URLconf of the bench server (``DJANGO_ROOT_URLCONF=bench.urls``): the whole site plus the
baseline endpoint, which exists nowhere else."""

from django.urls import include, path

from bench.views import BASELINE_PATH, insert_one_row

urlpatterns = [
    path(BASELINE_PATH.lstrip("/"), insert_one_row, name="bench-insert-one-row"),
    path("", include("config.urls")),
]
