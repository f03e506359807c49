"""Open311 GeoReport v2, mounted at /open311/v2/ (ReportsConfig.more_urls); every address ends in its format."""

from django.urls import path, register_converter

from core.route_access import Access, Methods, Public, answers

from . import views

app_name = "open311"


class FormatConverter:
    """``json`` or ``xml``: the formats the endpoint speaks."""

    regex = "json|xml"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "open311_format")

urlpatterns = [
    path("discovery.<open311_format:format>", views.discovery, name="discovery"),
    path("services.<open311_format:format>", views.services, name="services"),
    path("services/<str:service_code>.<open311_format:format>", views.service_definition, name="service"),
    path("requests.<open311_format:format>", views.service_requests, name="requests"),
    path("requests/<str:service_request_id>.<open311_format:format>", views.service_request, name="request"),
    path("tokens/<str:token>.<open311_format:format>", views.service_request_token, name="token"),
]

# Who may call each route (core.route_access; checked by tests/test_route_matrix.py). Open311 reads are open to
# anyone, signed in or not, and show public reports only (the own and the other report of the matrix are both
# public). Posting a request needs an application's api_key, which no person of the matrix sends: it is refused
# (403, the spec's error list) to everyone, signed in or not; tests/ and reports/tests/test_open311.py post with one.
access = {
    "discovery": Public,
    "services": Public,
    "service": Public,
    "requests": Methods(GET=Public, POST=Access(answers(403))),
    "request": Public,
    "token": Public,
}
