from django.urls import path, register_converter

from core.route_access import Access, Methods, PostOnly, Public, answers
from workflows.case_views import case_document_urls

from . import public_views, views
from .inbound import views as inbound
from .models import Report

app_name = "reports"


class ReferenceConverter:
    """A report's reference number (PR-2026-000123), so ``problems/<reference>/`` never takes ``problems/new/``."""

    regex = r"[A-Z][A-Z0-9]*-[0-9]{4}-[0-9]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReferenceConverter, "ref")

urlpatterns = [
    path("sms/inbound/", inbound.sms_inbound, name="sms_inbound"),
    path("email/inbound/", inbound.mail_inbound, name="mail_inbound"),
    path("staff/problems/new/", inbound.phone_report, name="phone_report"),
    # the resident's pages
    path("problems/", public_views.report_list, name="list"),
    path("problems/new/", public_views.new_report, name="new"),
    path("problems/new/done/", public_views.report_filed, name="filed"),
    path("problems/addresses/", public_views.addresses, name="addresses"),
    path("problems/map.geojson", public_views.map_data, name="map_data"),
    path("problems/<ref:reference>/", views.report_page, name="report"),
    path("problems/<ref:reference>/me-too/", views.join, name="join"),
    path("problems/<ref:reference>/photos/<int:version_pk>/", views.report_photo, name="photo"),
    path("problems/<ref:reference>/answer/<str:key>/", views.answer, name="answer"),
    path("problems/<ref:reference>/answer/<str:key>/photos/<int:version_pk>/", views.answer_photo,
         name="answer_photo"),
    path("staff/problems/<ref:reference>/", views.staff_report, name="staff_report"),
    # a report's documents (its photos) as the kernel serves a case's: to whoever may read the report
    *case_document_urls(Report, prefix="staff/problems/"),
    path("staff/problems/<ref:reference>/reroute/", views.reroute, name="reroute"),
    path("staff/problems/<ref:reference>/merge/", views.merge, name="merge"),
    path("staff/problems/<ref:reference>/update/", views.post_update, name="update"),
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

from . import area_views, staff_views  # noqa: E402 - the pages below, kept in their own modules

urlpatterns += [
    path("problems/follow/", area_views.follow, name="follow"),
    path("problems/follow/stopped/", area_views.follow_stopped, name="follow_stopped"),
    path("problems/follow/<str:token>/confirm/", area_views.follow_confirm, name="follow_confirm"),
    path("problems/follow/<str:token>/stop/", area_views.follow_stop, name="follow_stop"),
    path("problems/suppliers/", staff_views.suppliers, name="suppliers"),
    path("staff/problems/", staff_views.staff_list, name="staff_list"),
    path("staff/problems/map.geojson", staff_views.staff_map_data, name="staff_map_data"),
]

access.update({
    "follow": Methods(GET=Public, POST=Access(answers(400))),  # an empty form: 400 with its errors, to everyone
    "follow_stopped": Public,
    # the links e-mailed to a follower: the own one works, a wrong token is 404 (the area is not followed)
    "follow_confirm": Access(answers(200), answers(404)),
    "follow_stop": Methods(GET=Access(answers(200), answers(404)), POST=Access(answers(_PAGE))),
    "suppliers": Public,
    # staff who work a queue, auditors and administrators: each sees the reports they handle (possibly none)
    "staff_list": Access(answers(200, anonymous=_LOGIN, citizen=403, other_citizen=403)),
    "staff_map_data": Access(answers(200, anonymous=_LOGIN, citizen=403, other_citizen=403)),
})

access.update({
    # a report's photos through the kernel's case documents (signed in): both world reports are public, so whoever
    # is signed in reads them; the staff's page shows them so before moderation, when only staff may
    "document": Access(answers(200, anonymous=_LOGIN)),
    "document_preview": Access(answers(404, anonymous=_LOGIN)),  # no preview is made of a photo in the world
})
