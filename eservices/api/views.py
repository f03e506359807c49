from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets

from .. import selectors
from ..models import Application
from .serializers import ApplicationSerializer, ServiceTypeSerializer


@extend_schema(tags=["catalog"])
class ServiceTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """The published service catalog; open to everyone."""

    serializer_class = ServiceTypeSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return selectors.published_service_types().prefetch_related("required_documents")


@extend_schema(tags=["applications"])
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in citizen's own applications."""

    serializer_class = ApplicationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Application.objects.none()
        return selectors.applications_of(user=self.request.user).prefetch_related("attachments")
