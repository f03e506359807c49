from django.utils.translation import gettext_lazy as _

from core.audit import register

from .cases import register_case_event

register("workflows.task.claim", _("Task claimed"), message=_("%(actor)s took the task %(object)s."))
register("workflows.task.unclaim", _("Task released"), message=_("%(actor)s released the task %(object)s."))
register("workflows.task.reassign", _("Task reassigned"),
         message=_("%(actor)s reassigned the task %(object)s."))
register("workflows.task.complete", _("Task completed"), message=_("%(actor)s completed the task %(object)s."))
register("workflows.task.expire", _("Task expired (automatic step)"),
         message=_("The deadline of the task %(object)s ran out; %(actor)s took the automatic step."))
register("workflows.task.remind", _("Reminder sent"),
         message=_("%(actor)s sent a reminder about the task %(object)s."))
register("workflows.task.escalate", _("Task escalated to the supervisor"),
         message=_("%(actor)s escalated the overdue task %(object)s to the supervisor."))
register("workflows.task.fail", _("Automatic step failed (incident)"),
         message=_("The automatic step %(object)s failed: %(after.error)s."))
register("workflows.incident.retry", _("Incident retried"),
         message=_("%(actor)s retried the failed step %(object)s."))
register("workflows.incident.skip", _("Incident skipped"),
         message=_("%(actor)s skipped the failed step %(object)s."))
register("workflows.holiday.import", _("Holidays imported"),
         message=_("%(actor)s imported holidays into the calendar of %(object)s."))
register("workflows.analytics.export", _("Process analytics exported"),
         message=_("%(actor)s exported the process analytics of %(object)s."))
register("workflows.delegation.create", _("Substitute named for an absence"),
         message=_("%(actor)s named a substitute: %(object)s."))
register("workflows.delegation.revoke", _("Substitute withdrawn"),
         message=_("%(actor)s withdrew the substitute %(object)s."))
register("workflows.process.cancel", _("Case stopped"),
         message=_("%(actor)s stopped %(object)s before it ended; its open tasks were cancelled."))
register("workflows.process.migrate", _("Case moved to another flow version"),
         message=_("%(actor)s moved %(object)s to flow version %(after.version)s."))

# What a case's person reads on its timeline of the engine's own events (register_case_event).
register_case_event("workflows.process.cancel", _("The case was stopped"))
