from django.utils.translation import gettext_lazy as _

from core.audit import register

register("workflows.task.claim", _("Task claimed"))
register("workflows.task.unclaim", _("Task released"))
register("workflows.task.reassign", _("Task reassigned"))
register("workflows.task.complete", _("Task completed"))
register("workflows.task.expire", _("Task expired (automatic step)"))
register("workflows.task.remind", _("Reminder sent"))
register("workflows.task.escalate", _("Task escalated to the supervisor"))
register("workflows.task.fail", _("Automatic step failed (incident)"))
register("workflows.incident.retry", _("Incident retried"))
register("workflows.incident.skip", _("Incident skipped"))
register("workflows.holiday.import", _("Holidays imported"))
register("workflows.analytics.export", _("Process analytics exported"))
register("workflows.delegation.create", _("Substitute named for an absence"))
register("workflows.delegation.revoke", _("Substitute withdrawn"))
register("workflows.process.migrate", _("Case moved to another flow version"))
