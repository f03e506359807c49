from rest_framework.routers import SimpleRouter

from core.route_access import Access, Methods, answers

from .views import ReportViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="api-report")

urlpatterns = router.urls

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py): the staff who handle the
# report (as on its staff page, reports/urls.py); citizens and anonymous callers are refused (403), staff who
# cannot see the report get 404. The actions answer 400 to an empty request from whoever may act.
_OUTSIDERS = {"anonymous": 403, "citizen": 403, "other_citizen": 403}
_LIST = Access(answers(200, **_OUTSIDERS))


def _staff(own, other, default=404):
    return Access(answers(default, **_OUTSIDERS, **own), answers(default, **_OUTSIDERS, **other))


_READ = _staff(dict(clerk=200, supervisor=200, supplier=200, auditor=200, admin=200),
               dict(other_clerk=200, auditor=200, admin=200))
_ACT = _READ.succeeding_with(400)
# OPTIONS describes an endpoint to whoever may call it, and reads none of its reports.
access = {
    "api-report-list": Methods(GET=_LIST, OPTIONS=_LIST),
    "api-report-detail": Methods(GET=_READ, OPTIONS=_LIST),
    **{f"api-report-{name}": Methods(POST=_ACT, OPTIONS=_LIST)
       for name in ("moderate", "accept", "dispatch", "resolve", "update", "reroute", "merge")},
}
