"""The staff inbox copies a case's reference, applicant, service and district
onto its open tasks (workflows.open_tasks); these handlers tell it when one of
them changes."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save

from workflows import open_tasks

from .models import Application

CASE_FIELDS = {"reference", "applicant", "service_type", "district", "process"}


def application_saved(sender, instance, update_fields=None, **kwargs):
    if instance.process_id and (update_fields is None or CASE_FIELDS & set(update_fields)):
        process_field = Application._meta.get_field("process")
        if process_field.is_cached(instance):
            open_tasks.process_case_changed(process_field.get_cached_value(instance))
        else:
            open_tasks.case_changed([instance.process_id])


def applicant_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and "full_name" not in update_fields):
        return
    open_tasks.case_changed(Application.objects.filter(applicant=instance, process__isnull=False)
                            .values_list("process_id", flat=True))


def connect():
    post_save.connect(application_saved, sender=Application, dispatch_uid="munis-inbox-application")
    post_save.connect(applicant_saved, sender=get_user_model(), dispatch_uid="munis-inbox-applicant")
