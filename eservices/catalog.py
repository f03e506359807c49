"""Helpers for a service's catalog entry, shared by the services' demo data and the tests."""

from django.db import transaction

from . import services
from .models import RequiredDocument, ServiceVersion


def publish_first_version(service_type, *, content, documents, valid_from=None):
    """Version 1 of a new service: a draft with ``content`` (ServiceVersion
    fields) and ``documents`` ((code, English, Russian, mandatory) rows), published."""
    with transaction.atomic():
        draft = services.service_version_save_draft(
            actor=None, version=ServiceVersion(service_type=service_type, **content))
        for code, name_en, name_ru, mandatory in documents:
            RequiredDocument.objects.create(version=draft, code=code, name_en=name_en, name_ru=name_ru,
                                            mandatory=mandatory)
        return services.service_version_publish(actor=None, version=draft, valid_from=valid_from)
