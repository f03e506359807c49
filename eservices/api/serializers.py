from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from documents.models import Document, DocumentVersion
from documents.selectors import documents_of_case

from .. import selectors
from ..models import DECISION_LETTER_PLACE, Application, RequiredDocument, ServiceVersion


class RequiredDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequiredDocument
        fields = ["code", "name", "mandatory"]


class VersionInForceSerializer(serializers.ModelSerializer):
    """Which version of the service new cases get, and for how long."""

    class Meta:
        model = ServiceVersion
        fields = ["number", "valid_from", "valid_until"]
        extra_kwargs = {
            "valid_from": {"help_text": "Since when new cases get this version."},
            "valid_until": {"help_text": "Until when; null: until a newer version is published."},
        }


class ServiceSerializer(serializers.ModelSerializer):
    """A catalog entry: the service and the content of its version in force."""

    code = serializers.CharField(source="service_type.code", read_only=True)
    department = serializers.CharField(source="service_type.department.name", read_only=True)
    version = VersionInForceSerializer(source="*", read_only=True)
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceVersion
        fields = ["code", "name", "description", "department", "version", "form_schema", "fee", "deadline_days",
                  "required_documents"]


class DocumentVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["id", "number", "original_name", "mime_type", "size", "sha256", "created_at"]


class DocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(source="versions_newest_first", many=True, read_only=True,
                                         help_text="Newest first.")

    class Meta:
        model = Document
        fields = ["id", "code", "title", "confidentiality", "versions"]


class ApplicationSerializer(serializers.ModelSerializer):
    service_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_version = serializers.IntegerField(source="service_version.number", read_only=True,
                                               help_text="The version of the service the case was filed under.")
    status_label = serializers.CharField(read_only=True)
    documents = serializers.SerializerMethodField()
    has_decision_letter = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["id", "reference", "service_type", "service_version", "status", "status_label", "data", "created",
                  "submitted_at", "decided_at", "documents", "has_decision_letter"]

    @extend_schema_field(DocumentSerializer(many=True))
    def get_documents(self, obj):
        documents = getattr(obj, "case_documents", None)  # a list page fetches them for all its cases at once
        return DocumentSerializer(documents_of_case(obj) if documents is None else documents, many=True).data

    def get_has_decision_letter(self, obj) -> bool:
        documents = getattr(obj, "case_documents", None)  # a list page fetches them for all its cases at once
        if documents is None:
            return selectors.decision_letter_of(obj) is not None
        return any(document.code == DECISION_LETTER_PLACE for document in documents)
