from django.urls import path

from core.route_access import Access, Methods, PostOnly, Public, answers

from . import views
from .inbound import views as inbound

app_name = "reports"

urlpatterns = [
    path("sms/inbound/", inbound.sms_inbound, name="sms_inbound"),
    path("email/inbound/", inbound.mail_inbound, name="mail_inbound"),
    path("staff/problems/new/", inbound.phone_report, name="phone_report"),  # before <reference>, which "new" fits
    path("problems/<str:reference>/", views.report_page, name="report"),
    path("problems/<str:reference>/photos/<int:version_pk>/", views.report_photo, name="photo"),
    path("problems/<str:reference>/answer/<str:key>/", views.answer, name="answer"),
    path("staff/problems/<str:reference>/", views.staff_report, name="staff_report"),
    path("staff/problems/<str:reference>/reroute/", views.reroute, name="reroute"),
    path("staff/problems/<str:reference>/merge/", views.merge, name="merge"),
    path("staff/problems/<str:reference>/update/", views.post_update, name="update"),
]

# Who may open each route (core.route_access; checked by tests/test_route_matrix.py). The *own* report is the
# citizen's, in the district whose department is the clerk's and the supervisor's, accepted by the supplier's
# utility; the *other* is the other citizen's, in the other clerk's district, with another supplier. Staff who
# may not act on a report they can see are refused (403) by the service; one they cannot see is 404.
_LOGIN, _PAGE = "→login", "→page"
_OUTSIDERS = {"anonymous": _LOGIN, "citizen": 403, "other_citizen": 403, "ministry": 404, "mahalla": 404}


def _staff(own, other):
    return Access(answers(404, **_OUTSIDERS, **own), answers(404, **_OUTSIDERS, **other))


#: the call centre's screen is for the dispatch's clerks and supervisors; nobody of the matrix's world works there
#: (reports/tests/test_phone.py shows the dispatch's clerk filing a report through it)
_CALL_CENTRE = Access(answers(403, anonymous=_LOGIN))
#: a webhook takes only posts signed with its secret, whoever sends them: the matrix's posts are not signed
_SIGNED_POSTS = PostOnly(Access(answers(403)))

access = {
    "sms_inbound": _SIGNED_POSTS,
    "mail_inbound": _SIGNED_POSTS,
    "phone_report": Methods(GET=_CALL_CENTRE, POST=_CALL_CENTRE),
    "report": Public,
    "photo": Access(answers(200), answers(404)),  # other: another report's photo asked under this one
    # the link is the reporter's key: the own report's link opens it, another report's key is 404 to everyone
    "answer": Methods(GET=Access(answers(200), answers(404))),
    "staff_report": _staff(dict(clerk=200, supervisor=200, supplier=200, auditor=200, admin=200),
                           dict(other_clerk=200, auditor=200, admin=200)),
    # the district's dispatchers re-route and merge; the supplier merges too, and alone posts updates
    "reroute": PostOnly(_staff(dict(clerk=_PAGE, supervisor=_PAGE, supplier=403, auditor=403, admin=403),
                               dict(other_clerk=_PAGE, auditor=403, admin=403))),
    "merge": PostOnly(_staff(dict(clerk=_PAGE, supervisor=_PAGE, supplier=_PAGE, auditor=403, admin=403),
                             dict(other_clerk=_PAGE, auditor=403, admin=403))),
    "update": PostOnly(_staff(dict(clerk=403, supervisor=403, supplier=_PAGE, auditor=403, admin=403),
                              dict(other_clerk=403, auditor=403, admin=403))),
}
