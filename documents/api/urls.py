from rest_framework.routers import SimpleRouter

from core.route_access import ApiOwnerOnly, ApiSignedIn, Methods

from .views import UploadSessionViewSet

router = SimpleRouter()
router.register("uploads", UploadSessionViewSet, basename="api-upload")

urlpatterns = router.urls

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
# OPTIONS describes an endpoint to whoever may call it, and reads none of its objects.
access = {
    "api-upload-list": Methods(POST=ApiSignedIn.succeeding_with(201), OPTIONS=ApiSignedIn),  # anyone signed in
    "api-upload-detail": Methods(GET=ApiOwnerOnly, PUT=ApiOwnerOnly, DELETE=ApiOwnerOnly.succeeding_with(204),
                                 OPTIONS=ApiSignedIn),
}
