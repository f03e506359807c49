from django.utils.translation import gettext_lazy as _

from core.audit import register

# The permit's staff steps. Their names predate the permit's own app and stay as they are: the
# audit trail is searched by them, and its older rows carry them.
register("eservices.application.check_completeness", _("Completeness checked"),
         message=_("%(actor)s checked %(object)s for completeness."))
register("eservices.application.review", _("Technical review completed"),
         message=_("%(actor)s completed a technical review of %(object)s."))
register("eservices.application.decide", _("Decision taken"),
         message=_("%(actor)s decided on %(object)s."))
register("eservices.application.issue_letter", _("Decision letter issued"),
         message=_("%(actor)s issued the decision letter of %(object)s (verification code %(after.verification_code)s)."))
