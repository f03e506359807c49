from rest_framework import serializers

from ..models import Application, Attachment, RequiredDocument, ServiceType


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["code", "name", "mandatory"]


class ServiceTypeSerializer(serializers.ModelSerializer):
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = ServiceType
        fields = ["code", "name", "description", "department", "form_schema", "fee", "deadline_days", "required_documents"]


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "document_code", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class ApplicationSerializer(serializers.ModelSerializer):
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    has_decision_letter = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "reference", "service_type", "status", "status_label", "data", "created",
                  "submitted_at", "decided_at", "attachments", "has_decision_letter"]

    def get_has_decision_letter(self, obj) -> bool:
        return bool(obj.decision_letter)
