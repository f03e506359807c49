"""The counters now live in core (core.0005 copied them)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("eservices", "0006_decision_letters_issued"),
        ("core", "0005_reference_sequences"),
    ]

    operations = [migrations.DeleteModel(name="ReferenceSequence")]
