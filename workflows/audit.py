from django.utils.translation import gettext_lazy as _

from core.audit import register

register("workflows.task.claim", _("Task claimed"))
register("workflows.task.unclaim", _("Task released"))
register("workflows.task.reassign", _("Task reassigned"))
register("workflows.task.complete", _("Task completed"))
