from rest_framework.routers import DefaultRouter

from core.route_access import ApiOwnerOnly, ApiSignedIn, Methods, Public

from .views import ApplicationViewSet, ServiceViewSet

router = DefaultRouter()
router.register("services", ServiceViewSet, basename="api-service")
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = router.urls

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py).
# OPTIONS describes an endpoint to whoever may call it, and reads none of its objects.
access = {
    "api-root": Methods(GET=ApiSignedIn, OPTIONS=ApiSignedIn),
    "api-service-list": Methods(GET=Public, OPTIONS=Public),
    "api-service-detail": Methods(GET=Public, OPTIONS=Public),
    "api-application-list": Methods(GET=ApiSignedIn, OPTIONS=ApiSignedIn),  # the person's own applications
    "api-application-detail": Methods(GET=ApiOwnerOnly, OPTIONS=ApiSignedIn),
}
