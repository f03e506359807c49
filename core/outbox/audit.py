from django.utils.translation import gettext_lazy as _

from core.audit import register

register("core.outbox.give_up", _("Notification given up"),
         message=_("The notification %(object)s was given up after %(after.attempts)s tries (%(after.status)s): "
                   "%(after.error)s"))
register("core.outbox.retry", _("Notification retried"),
         message=_("%(actor)s had the notification %(object)s tried again now (it was %(before.status)s after "
                   "%(before.attempts)s tries)."))
