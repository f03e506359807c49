"""A supplier's staff can neither read nor change another supplier's report through any route of the reports app,
its REST API or Open311: every such route is asked, with every method it serves, by the staff of the supplier the
report is not with. What is public answers as it does to anyone, with nothing private in it; nothing changes."""

from django.urls import URLPattern, URLResolver, get_resolver

from core.models import AuditEvent
from reports.models import Follower, Report
from workflows.models import OpenTask

from .conftest import NORTH_POINT
from .helpers import file_report, work

#: the arguments of each route, for a report (``r``) and its first photo's version (``v``)
ARGUMENTS = {"reference": lambda r, v: r.reference, "version_pk": lambda r, v: v.pk, "key": lambda r, v: "x" * 20,
             "token": lambda r, v: str(r.token), "service_code": lambda r, v: r.category.code,
             "service_request_id": lambda r, v: r.reference, "format": lambda r, v: "json", "fmt": lambda r, v: "json"}
#: what is open to everyone: the report's public page, its photo, Open311's reads, the public lists and forms
PUBLIC = ("reports:report", "reports:photo", "reports:follow", "reports:follow_stopped", "reports:suppliers",
          "reports:list", "reports:map_data", "reports:new", "reports:addresses", "open311:")


def _reports_routes():
    found = []

    def walk(resolver, prefix="", namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}{entry.name}"
                if name.startswith(("reports:", "open311:", "api-report")) and "format" not in str(entry.pattern):
                    found.append((name, prefix + str(entry.pattern), entry.pattern.converters))

    walk(get_resolver())
    return found


def _url(pattern, converters, report, version):
    import re

    def fill(match):
        name = match.group(2)
        return str(ARGUMENTS[name](report, version))

    url = re.sub(r"<(?:(\w+):)?(\w+)>", fill, pattern)
    return "/" + url.replace("^", "").replace("$", "").replace("\\", "")


def test_another_suppliers_staff_can_neither_read_nor_change_a_report_through_any_reports_route(city, client):
    from documents.selectors import documents_of_case

    photo_report = file_report(city, point=NORTH_POINT, category=city.water, contact_phone="+992900111222")
    work(photo_report, "accept", city.water_staff, decision="accept")
    report = Report.objects.get(pk=photo_report.pk)
    version = documents_of_case(report).first()
    routes = _reports_routes()
    assert len(routes) >= 20, routes  # the app's pages, its REST API and Open311 are all found
    before = (Report.objects.values_list("status", "supplier_id", "public_note").get(pk=report.pk),
              OpenTask.objects.filter(process_id=report.process_id).values_list("department_id", "owner_id").get(),
              Follower.objects.count(), AuditEvent.objects.count())
    client.force_login(city.roads_north_staff)  # a supplier, but not the one the report is with
    asked = 0
    for name, pattern, converters in routes:
        if version is None and "version_pk" in pattern:
            continue
        url = _url(pattern, converters, report, version)
        for method in ("get", "post"):
            if name == "reports:join" and method == "post":
                continue  # "me too" is anyone's, staff's too: it follows the report, never handles it (test_web.py)
            data = {"decision": "accept", "note": "Ours now", "organisation": city.roads_north.pk,
                    "reason": "Taking it", "master": report.reference, "comment": "x"}
            response = client.post(url, data) if method == "post" else client.get(url)
            asked += 1
            body = response.content.decode(errors="replace")
            if response.status_code == 200 and not name.startswith(PUBLIC):  # a list of their own reports, at most
                assert report.reference not in body, f"{method.upper()} {url} ({name}) shows another supplier's report"
            assert "+992900111222" not in body and city.resident.email not in body, (name, method)
    after = (Report.objects.values_list("status", "supplier_id", "public_note").get(pk=report.pk),
             OpenTask.objects.filter(process_id=report.process_id).values_list("department_id", "owner_id").get(),
             Follower.objects.count(), AuditEvent.objects.count())
    assert after == before, f"{asked} requests changed the report: {before} -> {after}"
