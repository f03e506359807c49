"""The classes every installation starts with; administrators add their own."""

from django.db import migrations

CLASSES = [
    # code, English name, Russian name, retention years (None: permanent), disposal, confidentiality
    ("application-document", "Application document", "Документ заявления", 10, "transfer", "confidential"),
    ("decision-letter", "Decision letter", "Письмо о решении", None, "keep", "internal"),
]


def create_classes(apps, schema_editor):
    DocumentClass = apps.get_model("documents", "DocumentClass")
    for code, name_en, name_ru, years, disposal, confidentiality in CLASSES:
        DocumentClass.objects.get_or_create(code=code, defaults={
            "name": name_en, "name_en": name_en, "name_ru": name_ru, "retention_years": years,
            "disposal": disposal, "confidentiality": confidentiality})


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(create_classes, migrations.RunPython.noop)]
