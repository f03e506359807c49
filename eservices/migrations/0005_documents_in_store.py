"""Application attachments move into the document store: each (application,
document) place becomes a Document, each uploaded file one of its versions,
in upload order, with its blob copied under its content address. The
attachment tables then go (their row history with them; the audit trail keeps
every upload). The old files under MEDIA_ROOT/attachments are left in place,
so nothing is lost if the migration rolls back; remove them once it has run."""

import hashlib
import uuid

import django.db.models.deletion
from django.core.files.storage import storages
from django.db import migrations, models

CHUNK = 1024 * 1024


def _copy_blob(source_name):
    """Copy a file from the default storage to the documents storage under its
    content address; returns (key, sha256, size), or None when the file is gone."""
    source = storages["default"]
    if not source_name or not source.exists(source_name):
        return None
    digest, size = hashlib.sha256(), 0
    with source.open(source_name, "rb") as handle:
        while data := handle.read(CHUNK):
            digest.update(data)
            size += len(data)
    sha256 = digest.hexdigest()
    key = f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    target = storages["documents"]
    if not target.exists(key):
        with source.open(source_name, "rb") as handle:
            target.save(key, handle)
    return key, sha256, size


def attachments_to_documents(apps, schema_editor):
    Attachment = apps.get_model("eservices", "Attachment")
    RequiredDocument = apps.get_model("eservices", "RequiredDocument")
    Document = apps.get_model("documents", "Document")
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    DocumentClass = apps.get_model("documents", "DocumentClass")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not Attachment.objects.exists():
        return
    application_type, _created = ContentType.objects.get_or_create(app_label="eservices", model="application")
    default_class = DocumentClass.objects.get(code="application-document")
    documents = {}
    for attachment in Attachment.objects.select_related("application__service_type").order_by("uploaded_at", "id"):
        application = attachment.application
        place = (application.pk, attachment.document_code)
        if place not in documents:
            required = RequiredDocument.objects.filter(
                version_id=application.service_version_id, code=attachment.document_code).first()
            documents[place] = [Document.objects.create(
                title=required.name if required else attachment.document_code, document_class=default_class,
                owner_id=application.service_type.department_id, confidentiality=default_class.confidentiality,
                case_type=application_type, case_id=str(application.pk), code=attachment.document_code,
                created_at=attachment.uploaded_at, created_by_id=attachment.uploaded_by_id), 0]
        document, number = documents[place]
        copied = _copy_blob(attachment.file.name)
        # A file lost before the move keeps its recorded hash under a key that does not exist:
        # verify_documents reports it missing instead of the store pretending it has it.
        key, sha256, size = copied or (f"missing/{uuid.uuid4().hex}", attachment.sha256, attachment.size)
        DocumentVersion.objects.create(
            document=document, number=number + 1, blob_key=key, size=size, sha256=sha256,
            mime_type=attachment.content_type, original_name=attachment.original_name,
            author_id=attachment.uploaded_by_id, created_at=attachment.uploaded_at)
        documents[place][1] = number + 1


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('documents', '0002_document_classes'),
        ('eservices', '0004_application_district'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalrequireddocument',
            name='document_class',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='How the uploaded document is kept; empty: as an application document.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='documents.documentclass', verbose_name='document class'),
        ),
        migrations.AddField(
            model_name='requireddocument',
            name='document_class',
            field=models.ForeignKey(blank=True, help_text='How the uploaded document is kept; empty: as an application document.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='documents.documentclass', verbose_name='document class'),
        ),
        migrations.RunPython(attachments_to_documents, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='historicalattachment',
            name='application',
        ),
        migrations.RemoveField(
            model_name='historicalattachment',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalattachment',
            name='uploaded_by',
        ),
        migrations.DeleteModel(
            name='Attachment',
        ),
        migrations.DeleteModel(
            name='HistoricalAttachment',
        ),
    ]
