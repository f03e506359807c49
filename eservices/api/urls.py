from rest_framework.routers import DefaultRouter

from .views import ApplicationViewSet, ServiceTypeViewSet

router = DefaultRouter()
router.register("services", ServiceTypeViewSet, basename="api-service")
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = router.urls
