from rest_framework import serializers

from accounts.models import Organisation

from ..models import Category, Report


class ReportSerializer(serializers.ModelSerializer):
    """A report as the staff who handle it see it: the reporter's contact included (never in public answers)."""

    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True, default=None)
    status_label = serializers.CharField(read_only=True)
    district = serializers.CharField(source="district.department.code", read_only=True, default=None)
    supplier = serializers.SlugRelatedField(slug_field="code", read_only=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    open_steps = serializers.SerializerMethodField(help_text="The steps of its flow waiting to be done.")

    class Meta:
        model = Report
        fields = ["reference", "status", "status_label", "category", "category_name", "description", "latitude",
                  "longitude", "address", "district", "supplier", "channel", "is_public", "public_note",
                  "contact_name", "contact_email", "contact_phone", "created_at", "resolved_at", "closed_at",
                  "escalated_at", "reopened_count", "fixed", "satisfaction", "duplicate_of", "open_steps"]
        read_only_fields = fields

    def get_open_steps(self, report) -> list[str]:
        from workflows.cases import open_steps

        return sorted(open_steps(report.process_id)) if report.process_id else []


def _category():
    return serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(active=True),
                                        required=False, allow_null=True)


def _organisation():
    return serializers.SlugRelatedField(slug_field="code", queryset=Organisation.objects.filter(
        kind__in=[Organisation.Kind.SUPPLIER, Organisation.Kind.DEPARTMENT]))


class ModerationSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["admit", "reject"])
    category = _category()
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class AcceptanceSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "hand_back"])
    comment = serializers.CharField(required=False, allow_blank=True)


class DispatchSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["route", "reject"])
    organisation = serializers.SlugRelatedField(slug_field="code", required=False, allow_null=True,
                                                queryset=Organisation.objects.filter(
                                                    kind__in=[Organisation.Kind.SUPPLIER,
                                                              Organisation.Kind.DEPARTMENT]))
    reason = serializers.CharField(required=False, allow_blank=True)


class ResolutionSerializer(serializers.Serializer):
    note = serializers.CharField()
    photo = serializers.FileField(required=False, allow_null=True)


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField()


class RerouteSerializer(serializers.Serializer):
    organisation = _organisation()
    reason = serializers.CharField()


class MergeSerializer(serializers.Serializer):
    master = serializers.CharField(help_text="The reference of the report this one duplicates.")
