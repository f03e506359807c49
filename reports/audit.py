from django.utils.translation import gettext_lazy as _

from core.audit import register
from workflows.cases import register_case_event

register("reports.report.submit", _("Problem reported"),
         message=_("%(actor)s filed %(object)s by %(after.channel)s."))
register("reports.report.route", _("Report routed"),
         message=_("%(object)s was routed to %(after.organisation_name)s by the routing matrix."))
register("reports.report.moderate", _("Report moderated"),
         message=_("%(actor)s moderated %(object)s: %(after.decision)s, category %(after.category)s."))
register("reports.report.accept", _("Report accepted"),
         message=_("%(actor)s accepted %(object)s for their organisation."))
register("reports.report.hand_back", _("Report handed back"),
         message=_("%(actor)s handed %(object)s back to the dispatcher: %(after.comment)s"))
register("reports.report.dispatch", _("Report dispatched"),
         message=_("%(actor)s dispatched %(object)s: %(after.decision)s."))
register("reports.report.resolve", _("Report resolved"),
         message=_("%(actor)s resolved %(object)s: %(after.comment)s"))
register("reports.report.update", _("Progress posted"),
         message=_("%(actor)s posted an update on %(object)s: %(after.comment)s"))
register("reports.report.reroute", _("Report re-routed"),
         message=_("%(actor)s re-routed %(object)s to %(after.organisation_name)s: %(after.reason)s"))
register("reports.report.escalate", _("Report escalated"),
         message=_("%(object)s was escalated to its district: %(after.supplier_name)s let %(after.step)s run late."))
register("reports.report.merge", _("Report merged as a duplicate"),
         message=_("%(actor)s merged %(object)s into %(after.master)s."))
register("reports.report.duplicate_joined", _("Duplicate joined"),
         message=_("%(actor)s merged the duplicate %(after.duplicate)s into %(object)s."))
register("reports.report.join", _("Someone has the same problem"),
         message=_("%(actor)s joined %(object)s (\"me too\")."))
register("reports.report.confirm", _("Fix confirmed"),
         message=_("%(object)s was confirmed fixed by its reporter (satisfaction %(after.satisfaction)s of 5)."))
register("reports.report.reopen", _("Report reopened"),
         message=_("%(object)s was reopened by its reporter: not fixed (satisfaction %(after.satisfaction)s of 5)."))
register("reports.report.mail_reply", _("E-mail added to a report"),
         message=_("An e-mail from %(after.from)s was added to %(object)s."))
register("reports.inbound.status", _("Status asked by SMS"),
         message=_("%(object)s asked how %(after.reference)s stands."))
register("reports.inbound.help", _("SMS answered with help"),
         message=_("%(object)s was answered with the keywords (%(after.reason)s)."))
register("reports.report.close_unconfirmed", _("Report closed without an answer"),
         message=_("%(object)s closed by itself: its reporter did not answer within %(after.days)s days."))


# The public timeline of a report (its page, and its reporter's): what happened to it, never who at the supplier
# did it or what staff wrote among themselves.
def _comment(event):
    return (event.after or {}).get("comment") or None


register_case_event("reports.report.submit", _("Reported"))
register_case_event("reports.report.route",
                    lambda event: _("Sent to %(name)s") % {"name": (event.after or {}).get("organisation_name")}
                    if (event.after or {}).get("organisation_name") else None)
register_case_event("reports.report.moderate",
                    lambda event: _("Rejected") if (event.after or {}).get("decision") == "reject"
                    else _("Checked by a moderator"),
                    detail=lambda event: _comment(event) if (event.after or {}).get("decision") == "reject" else None)
register_case_event("reports.report.accept", _("Accepted by the supplier"))
register_case_event("reports.report.hand_back", _("Being sent to the right supplier"))
register_case_event("reports.report.dispatch",
                    lambda event: _("Rejected") if (event.after or {}).get("decision") == "reject"
                    else _("Sent to the right supplier"),
                    detail=lambda event: _comment(event) if (event.after or {}).get("decision") == "reject" else None)
register_case_event("reports.report.reroute",
                    lambda event: _("Sent to %(name)s") % {"name": (event.after or {}).get("organisation_name")})
register_case_event("reports.report.update", _("Update from the supplier"), detail=_comment)
register_case_event("reports.report.resolve", _("Resolved"), detail=_comment)
register_case_event("reports.report.merge", lambda event: _("Merged into %(reference)s, which reports the same "
                                                            "problem") % {"reference": (event.after or {}).get("master")})
register_case_event("reports.report.duplicate_joined",
                    lambda event: _("%(reference)s, the same problem, was joined to this report")
                    % {"reference": (event.after or {}).get("duplicate")})
register_case_event("reports.report.confirm", _("Confirmed fixed by the reporter"))
register_case_event("reports.report.reopen", _("Reopened: the reporter says it is not fixed"), detail=_comment)
register_case_event("reports.report.close_unconfirmed", _("Closed"))
register_case_event("reports.report.escalate", _("Overdue: escalated to the district"))

register("reports.area.follow", _("Area followed"),
         message=_("%(actor)s asked to follow an area of %(after.radius_m)s m (not confirmed yet)."))
register("reports.area.confirm", _("Area follow confirmed"), message=_("%(actor)s confirmed following an area."))
register("reports.area.stop", _("Area no longer followed"), message=_("%(actor)s stopped following an area."))
