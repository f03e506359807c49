"""REST API, health endpoints and production checks (demo data: test_plugins.py)."""

import os
import secrets
import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from eservices.services import application_apply

from .factories import PERMIT_DATA, ServiceVersionFactory, permit_files


def test_catalog_api_lists_published_services_to_anyone(client, permit_service):
    ServiceVersionFactory(service_type__code="hidden", service_type__department=permit_service.department,
                          name="Hidden")  # a draft: not in the catalog
    response = client.get("/api/v1/services/")
    assert response.status_code == 200
    codes = [s["code"] for s in response.json()["results"]]
    assert codes == ["building-permit"]
    detail = client.get("/api/v1/services/building-permit/").json()
    assert [d["code"] for d in detail["required_documents"]][:3] == ["site_plan", "architectural_design", "ownership"]
    assert detail["form_schema"]["required"][0] == "site_address"
    assert client.get("/api/v1/services/hidden/").status_code == 404


def test_applications_api_shows_only_my_own(client, people, permit_service):
    mine = application_apply(actor=people.citizen, service_type=permit_service, data=PERMIT_DATA, files=permit_files())
    theirs = application_apply(actor=people.other_citizen, service_type=permit_service, data=PERMIT_DATA,
                               files=permit_files())
    assert client.get("/api/v1/applications/").status_code == 403
    client.force_login(people.citizen)
    listing = client.get("/api/v1/applications/").json()
    assert [a["reference"] for a in listing["results"]] == [mine.reference]
    assert listing["results"][0]["status"] == "submitted"
    documents = listing["results"][0]["documents"]
    assert sorted(d["code"] for d in documents) == ["architectural_design", "ownership", "site_plan"]
    assert all(len(d["versions"]) == 1 and len(d["versions"][0]["sha256"]) == 64 for d in documents)
    response = client.get(f"/api/v1/applications/{theirs.pk}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_openapi_schema_and_docs_are_served_without_a_cdn(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    body = schema.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/applications/{id}/" in body["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


def test_health_and_readiness(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "storage": "ok", "cache": "ok"}


def test_pages_carry_security_headers(client, db):
    response = client.get(reverse("eservices:catalog"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_deploy_checks_are_clean_with_production_settings():
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
           "DJANGO_ALLOWED_HOSTS": "munis.example"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_static_files_collect_with_production_settings(tmp_path):
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
           "DJANGO_ALLOWED_HOSTS": "munis.example", "MUNIS_STATIC_ROOT": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "css/munis.css" in manifest and "drf_spectacular_sidecar/swagger-ui-dist" in manifest
    # Leaflet's stylesheet names its images, which the manifest's rewriting needs beside it
    assert "vendor/leaflet/leaflet.css" in manifest and "vendor/leaflet/images/layers.png" in manifest
