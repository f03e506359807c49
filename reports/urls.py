from django.urls import path

from core.route_access import Access, Methods, PostOnly, Public, answers

from . import public_views, views

app_name = "reports"

urlpatterns = [
    # the resident's pages; before problems/<reference>/, which "new" and "addresses" would fit
    path("problems/", public_views.report_list, name="list"),
    path("problems/new/", public_views.new_report, name="new"),
    path("problems/new/done/", public_views.report_filed, name="filed"),
    path("problems/addresses/", public_views.addresses, name="addresses"),
    path("problems/map.geojson", public_views.map_data, name="map_data"),
    path("problems/<str:reference>/", views.report_page, name="report"),
    path("problems/<str:reference>/me-too/", views.join, name="join"),
    path("problems/<str:reference>/photos/<int:version_pk>/", views.report_photo, name="photo"),
    path("problems/<str:reference>/answer/<str:key>/", views.answer, name="answer"),
    path("problems/<str:reference>/answer/<str:key>/photos/<int:version_pk>/", views.answer_photo,
         name="answer_photo"),
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


access = {
    "list": Public,
    # the form files a report for anyone, signed in or not (the matrix's posts are filed, each rolled back)
    "new": Methods(GET=Public, POST=Access(answers(_PAGE))),
    # only the browser that just filed a report sees what it filed; anyone else is sent to the form
    "filed": Access(answers(_PAGE)),
    "addresses": Public,
    "map_data": Public,
    "report": Public,
    # "me too" on an open public report: anyone, by their account or by the e-mail address they give
    "join": PostOnly(Access(answers(_PAGE))),
    "photo": Access(answers(200), answers(404)),  # other: another report's photo asked under this one
    # the link is the reporter's key: the own report's link opens it, another report's key is 404 to everyone
    "answer": Methods(GET=Access(answers(200), answers(404))),
    "answer_photo": Access(answers(200), answers(404)),
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
