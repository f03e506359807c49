"""The routing matrix read: who a report goes to, and who dispatches what no rule covers."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.models import Organisation

from .models import RoutingRule


def route_for(category, district):
    """The organisation that works a report of ``category`` in ``district``: the rule of that cell, else the rule of
    the category's parent there, else the category's (then its parent's) city-wide rule, else the district's own
    department (the matrix's fallback). None when there is neither a rule nor a district."""
    if category is not None:
        categories = [category.pk] + ([category.parent_id] if category.parent_id else [])
        rules = {(rule.category_id, rule.district_id): rule for rule in
                 RoutingRule.objects.filter(category_id__in=categories).select_related("organisation")}
        district_id = district.pk if district is not None else None
        for key in [(c, district_id) for c in categories if district_id] + [(c, None) for c in categories]:
            if key in rules:
                return rules[key].organisation
    return district.department if district is not None else None


def dispatch_organisation():
    """The department that moderates reports and dispatches those no rule or district places
    (``MUNIS_REPORTS_DISPATCH``, an organisation code)."""
    code = settings.MUNIS_REPORTS_DISPATCH
    organisation = Organisation.objects.filter(code=code).first()
    if organisation is None:
        raise ImproperlyConfigured(f"MUNIS_REPORTS_DISPATCH names the organisation {code!r}, which does not exist.")
    return organisation


def dispatcher_of(report):
    """Who re-routes and escalations reach for this report: its district's department, else the dispatch."""
    return report.district.department if report.district_id else dispatch_organisation()
