from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Problem reports: residents report what is broken in communal services, from the web, Open311 apps, SMS,
    e-mail or the phone; each report is routed to the supplier that fixes it, followed in public, and confirmed
    fixed by its reporter."""

    name = "reports"
    verbose_name = _("Problem reports")
    url_prefix = ""  # /problems/, /staff/problems/
    api_urls = "reports.api.urls"
    more_urls = {"open311/v2/": "reports.open311.urls"}  # Open311 GeoReport v2 (reports.open311)

    def ready(self):
        from django.urls import reverse

        from core.housekeeping import register as register_housekeeping
        from core.outbox import register_mail_headers
        from workflows.cases import register_case

        from . import audit, document_classes, notifications  # noqa: F401
        from .inbound.mailbox import poll_mailbox_job
        from .models import Report
        from .selectors import report_for_staff

        def can_read(user, report):
            return (report.is_public or (user.is_authenticated and report.reporter_id == user.pk)
                    or report_for_staff(user, report.reference) is not None)

        # A report is a case: its photos are public while the report is, its inbox rows carry its reference,
        # reporter's name, date, category and district, its end sets how long its photos are kept.
        register_case(
            Report, person_field="reporter",
            inbox_fields={"reference", "contact_name", "created_at", "category", "district"},
            can_read=can_read, can_edit=lambda user, report: report.reporter_id == user.pk,
            outcome=lambda report: report.status if report.status in Report.FINAL_STATUSES else None,
            ended_at=lambda report: report.closed_at,
            public_while=lambda report: report.is_public,
            page=lambda report: reverse("reports:report", args=[report.reference]))
        document_classes.register()
        # e-mails about a report name it where a reply carries it back (reports.inbound.mail threads replies)
        register_mail_headers("reports.report", notifications.mail_headers)
        # the reports' mailbox is read on every run of the timers, when one is configured
        register_housekeeping("reports.mailbox", poll_mailbox_job)
