from django.utils.translation import gettext_lazy as _

from core.audit import register

register("core.api_client.register", _("API client registered"),
         message=_("%(actor)s registered the API client %(object)s (key %(after.key_prefix)s…)."))
register("core.api_client.revoke", _("API client revoked"),
         message=_("%(actor)s revoked the API client %(object)s (key %(before.key_prefix)s…)."))
register("core.api_client.rotate_key", _("API client given a new key"),
         message=_("%(actor)s gave the API client %(object)s a new key %(after.key_prefix)s… in place of "
                   "%(before.key_prefix)s…."))
