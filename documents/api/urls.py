from rest_framework.routers import SimpleRouter

from .views import UploadSessionViewSet

router = SimpleRouter()
router.register("uploads", UploadSessionViewSet, basename="api-upload")

urlpatterns = router.urls
