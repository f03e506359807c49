from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets

from documents.selectors import documents_of_cases

from .. import selectors
from ..models import Application
from .serializers import ApplicationSerializer, ServiceSerializer


@extend_schema(tags=["catalog"])
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """The service catalog, open to everyone: each service as its version in
    force (published, within its validity) says."""

    serializer_class = ServiceSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "service_type__code"
    lookup_url_kwarg = "code"

    def get_queryset(self):
        return selectors.versions_in_force().prefetch_related("required_documents")


@extend_schema(tags=["applications"])
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """The signed-in citizen's own applications."""

    serializer_class = ApplicationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Application.objects.none()
        return selectors.applications_of(user=self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            found = documents_of_cases(page)
            for application in page:
                application.case_documents = found[application.pk]
        return page
