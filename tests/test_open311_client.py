"""The outside Open311 client the endpoint's tests will drive it with (tests.open311_client) calls a live server
here, as an Open311 app would: it sends the key an operator registered in its posted form (plain or multipart),
and core.api_clients.ApiKeyAuthentication takes it; a revoked key is refused. The endpoint is a stand-in that
names the caller, in JSON or XML, until the real one exists."""

import io

import pytest
from django.http import HttpResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_clients import ApiKeyAuthentication, HasApiClient, api_client_register, api_client_revoke

from .open311_client import Open311Client


class StandInRequests(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiClient]

    def post(self, request, suffix):
        caller = request.auth.name
        photo = request.FILES.get("media")
        notice = f"{caller}: {request.data['description']}" + (f" ({photo.name})" if photo else "")
        if suffix == "xml":
            return HttpResponse(f"<?xml version='1.0' encoding='utf-8'?><service_requests><request>"
                                f"<service_request_id>PR-1</service_request_id><service_notice>{notice}"
                                f"</service_notice></request></service_requests>", status=201,
                                content_type="text/xml")
        return Response([{"service_request_id": "PR-1", "service_notice": notice}], status=201)


urlpatterns = [path("open311/v2/requests.<str:suffix>", StandInRequests.as_view())]


@pytest.mark.urls(__name__)
def test_an_open311_app_posts_with_its_registered_key_and_loses_access_when_revoked(live_server):
    client, key = api_client_register(name="Street app")
    app = Open311Client(f"{live_server.url}/open311/v2", api_key=key, jurisdiction="munis.example")

    answer = app.post("pothole", description="A hole by the school", lat=41.31, long=69.28)
    assert (app.post_response.status_code, answer) == (
        201, [{"service_request_id": "PR-1", "service_notice": "Street app: A hole by the school"}])

    photo = ("hole.jpg", io.BytesIO(b"\xff\xd8\xff\xe0 a photo"), "image/jpeg")
    assert app.post("pothole", description="Deeper now", media=photo)[0]["service_notice"] == (
        "Street app: Deeper now (hole.jpg)")

    app.configure(format="xml")
    assert app.post("pothole", description="Still there") == {
        "request": {"service_request_id": "PR-1", "service_notice": "Street app: Still there"}}

    api_client_revoke(client=client, actor=None)
    app.configure(format="json")
    refused = app.post("pothole", description="Anyone there?")
    assert (app.post_response.status_code, refused["code"]) == (403, "invalid_api_key")
