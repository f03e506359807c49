from django.utils.translation import gettext_lazy as _

from core.audit import register

register("accounts.user.signup", _("Citizen signed up"), message=_("%(object)s signed up."))
register("accounts.user.verify_email", _("E-mail address verified"),
         message=_("%(object)s verified their e-mail address."))
register("accounts.user.profile_update", _("Profile changed"),
         message=_("%(actor)s changed their profile."))
# The object is the person; the event sits on the trail of what was shared (its label names both).
register("accounts.grant.add", _("Access shared with a named person"),
         message=_("%(actor)s shared %(object)s (%(after.email)s), because: %(after.reason)s"))
register("accounts.grant.revoke", _("Shared access taken back"),
         message=_("%(actor)s took back access to %(object)s (%(before.email)s), because: %(after.reason)s"))
