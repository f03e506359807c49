from django.utils.translation import gettext_lazy as _

from core.audit import SubjectLabel, register, register_subject_labels
from workflows.cases import register_case_event

register("eservices.application.save_draft", _("Draft saved"),
         message=_("%(actor)s saved the draft %(object)s (service version %(after.version)s)."))
register("eservices.application.upload", _("Document uploaded"),  # before the document store: kept for old trails
         message=_("%(actor)s uploaded a document to %(object)s."))
register("eservices.application.delete_draft", _("Draft deleted"),
         message=_("%(actor)s deleted the draft %(object)s and the documents attached to it."))
register("eservices.application.submit", _("Application submitted"),
         message=_("%(actor)s submitted the application %(after.reference)s."))
register("eservices.application.resubmit", _("Corrected application resubmitted"),
         message=_("%(actor)s resubmitted %(object)s with the corrections asked for."))
register("eservices.application.withdraw", _("Application withdrawn"),
         message=_("%(actor)s withdrew the application %(object)s; its open steps were cancelled."))
register("eservices.application.download_decision", _("Decision letter downloaded"),
         message=_("%(actor)s downloaded the decision letter of %(object)s."))
register("eservices.application.close_unanswered", _("Closed: correction not answered in time"),
         message=_("%(actor)s closed %(object)s: the correction was not answered in time."))
register("eservices.service_version.draft", _("New draft of a service version"),
         message=_("%(actor)s started draft version %(after.number)s of %(object)s."))
register("eservices.service_version.edit", _("Draft of a service version edited"),
         message=_("%(actor)s edited the draft %(object)s."))
register("eservices.service_version.publish", _("Service version published"),
         message=_("%(actor)s published %(object)s, valid from %(after.valid_from)s."))
register("eservices.service_version.retire", _("Service version retired"),
         message=_("%(actor)s retired %(object)s."))
register("eservices.service_version.discard", _("Draft of a service version discarded"),
         message=_("%(actor)s discarded the draft %(object)s."))


def _written(key):
    """What the applicant wrote with the event (``after[key]``), for their timeline."""
    return lambda event: (event.after or {}).get(key) or None


# What the applicant reads on their case's timeline (workflows.cases.register_case_event); the rest is the staff's.
register_case_event("eservices.application.submit", _("Application submitted"))
register_case_event("eservices.application.resubmit", _("You answered the correction request"),
                    detail=_written("comment"))
register_case_event("eservices.application.withdraw", _("Application withdrawn"), detail=_written("reason"))
register_case_event("eservices.application.close_unanswered",
                    _("Closed without a decision: the correction was not answered in time"))


def application_labels(object_ids):
    """How the audit pages name applications (core.audit.register_subject_labels): a submitted one by its
    reference, a draft in words with its service, never by its row number, which is what a draft's events
    recorded (``DRAFT_LABEL``, in the language of the request that wrote them)."""
    from django.conf import settings
    from django.utils import translation

    from .models import DRAFT_LABEL, Application, ServiceVersion

    pks = [int(object_id) for object_id in object_ids if object_id.isdigit()]
    applications = {application.pk: application
                    for application in Application.objects.filter(pk__in=pks).select_related("service_version")}
    # A draft deleted before it was submitted is gone: its row history still says which service it was for.
    deleted = [pk for pk in pks if pk not in applications]
    deleted_versions = dict(Application.history.filter(id__in=deleted).order_by("history_id")
                            .values_list("id", "service_version_id")) if deleted else {}
    versions = ServiceVersion.objects.in_bulk(set(deleted_versions.values())) if deleted_versions else {}
    labels = {}
    for pk in pks:
        aliases = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                aliases.add(str(DRAFT_LABEL % {"pk": pk}))
        application = applications.get(pk)
        if application is not None and application.reference:
            label = application.reference
        elif application is not None:
            label = _("%(service)s — draft, not yet submitted") % {"service": application.service_version.name}
        elif pk in deleted_versions and deleted_versions[pk] in versions:
            label = _("%(service)s — draft, deleted before it was submitted") % {
                "service": versions[deleted_versions[pk]].name}
        else:
            label = _("A draft, deleted before it was submitted")
        labels[str(pk)] = SubjectLabel(label=str(label), aliases=tuple(sorted(aliases, key=len, reverse=True)))
    return labels


register_subject_labels("eservices.application", application_labels)
