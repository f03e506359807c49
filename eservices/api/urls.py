from rest_framework.routers import DefaultRouter

from .views import ApplicationViewSet, ServiceViewSet

router = DefaultRouter()
router.register("services", ServiceViewSet, basename="api-service")
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = router.urls
