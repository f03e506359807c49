"""Decision letters move into the document store as issued documents: each
application's letter file becomes version 1 of its document at place
``decision_letter`` (class decision-letter), with its blob copied under its
content address, and an IssuedDocument with a fresh verification code, issued
to the applicant at the decision's time. These letters were never signed and do
not carry their code: the verify page says they have no signature, and the case
page links to it. Where the storage keeps Object Lock (S3), the blob is put under
retention as a newly issued one is. The old files under MEDIA_ROOT/decisions are
left in place, so nothing is lost if the migration rolls back; remove them once
it has run. A letter whose file is already gone is reported and skipped."""

import importlib
import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import migrations
from django.utils import timezone

# The blob copy of 0005 (a file of the default storage under its content address on the documents
# storage): both migrations are history, so they share it rather than each keep a copy.
_copy_blob = importlib.import_module("eservices.migrations.0005_documents_in_store")._copy_blob

PLACE = "decision_letter"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # as documents.codes, frozen here


def _fresh_code(IssuedDocument):
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(10))
        if not IssuedDocument.objects.filter(code=code).exists():
            return code


def _retain(key, issued_at):
    years = getattr(settings, "MUNIS_ISSUED_RETAIN_YEARS", 0)
    retain = getattr(storages["documents"], "retain", None)
    if years <= 0 or retain is None:
        return None
    try:
        until = issued_at.replace(year=issued_at.year + years)
    except ValueError:  # 29 February
        until = issued_at.replace(year=issued_at.year + years, day=28)
    return retain(key, until)


def letters_to_issued_documents(apps, schema_editor):
    Application = apps.get_model("eservices", "Application")
    Document = apps.get_model("documents", "Document")
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    DocumentClass = apps.get_model("documents", "DocumentClass")
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    ContentType = apps.get_model("contenttypes", "ContentType")
    letters = Application.objects.exclude(decision_letter="").select_related("applicant", "service_type")
    if not letters.exists():
        return
    application_type, _created = ContentType.objects.get_or_create(app_label="eservices", model="application")
    letter_class, _created = DocumentClass.objects.get_or_create(code="decision-letter", defaults={
        "name": "Decision letter", "retention_years": None, "disposal": "keep", "confidentiality": "internal"})
    for application in letters.order_by("id"):
        copied = _copy_blob(application.decision_letter.name)
        if copied is None:
            print(f"\n  {application.reference}: decision letter {application.decision_letter.name} is missing; "
                  "not moved into the document store.")
            continue
        key, sha256, size = copied
        issued_at = application.decided_at or timezone.now()
        kind = {"approved": "Building permit", "refused": "Refusal of a building permit"}.get(
            application.status, "Decision letter")
        title = f"{kind} {application.reference}"
        document = Document.objects.filter(case_type=application_type, case_id=str(application.pk), code=PLACE).first()
        if document is None:
            document = Document.objects.create(
                title=title, document_class=letter_class, owner_id=application.service_type.department_id,
                confidentiality=letter_class.confidentiality, case_type=application_type,
                case_id=str(application.pk), code=PLACE, created_at=issued_at)
        number = (DocumentVersion.objects.filter(document=document).order_by("-number")
                  .values_list("number", flat=True).first() or 0) + 1
        version = DocumentVersion.objects.create(
            document=document, number=number, blob_key=key, size=size, sha256=sha256, mime_type="application/pdf",
            original_name=application.decision_letter.name.rsplit("/", 1)[-1][:200], created_at=issued_at)
        IssuedDocument.objects.create(
            code=_fresh_code(IssuedDocument), version=version, title=title,
            language=application.applicant.preferred_language or "", issued_to=application.applicant.full_name,
            issued_at=issued_at, retained_until=_retain(key, issued_at))


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('documents', '0003_issued_documents'),
        ('eservices', '0005_documents_in_store'),
    ]

    operations = [
        migrations.RunPython(letters_to_issued_documents, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='application',
            name='decision_letter',
        ),
    ]
