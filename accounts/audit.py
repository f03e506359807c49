from django.utils.translation import gettext_lazy as _

from core.audit import register

register("accounts.user.signup", _("Citizen signed up"), message=_("%(object)s signed up."))
register("accounts.user.verify_email", _("E-mail address verified"),
         message=_("%(object)s verified their e-mail address."))
