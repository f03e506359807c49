"""The problem reports' part of the route matrix's world (tests/world.py): a city of two districts, whose
departments are the clerk's (architecture) and the other clerk's (fire safety); the citizen's report of a burst
pipe in the first, routed to the supplier's utility, with a photo; the other citizen's in the second, routed to
another supplier; a place of the address list; and how the reports' routes' arguments and forms are built."""

from accounts.models import Organisation
from documents.services import GeneratedFile

from .inbound.sms import sms_receive
from .models import Address, Category, District, Report, RoutingRule
from .services import report_submit

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _square(south, north):
    return {"type": "Polygon", "coordinates": [[[68.7, south], [68.9, south], [68.9, north], [68.7, north],
                                                [68.7, south]]]}


def populate(w, people):
    K = Organisation.Kind
    hall = Organisation.objects.get(code="city-hall")
    Organisation.objects.get_or_create(code="communal-dispatch", defaults={
        "name": "Communal Dispatch", "kind": K.DEPARTMENT, "parent": hall})
    first = District.objects.create(department=people.clerk.memberships.get().organisation,
                                    boundary=_square(38.56, 38.60))
    second = District.objects.create(department=people.fire.memberships.get().organisation,
                                     boundary=_square(38.52, 38.56))
    water = Category.objects.create(code="water", name="Water supply", resolution_days=2)
    utility = people.supplier.memberships.get().organisation
    other_supplier = Organisation.objects.create(code="roads-depot", name="Roads Depot", kind=K.SUPPLIER, parent=hall)
    Organisation.objects.create(code="city-hall-works", name="City Works", kind=K.SUPPLIER, parent=hall)
    RoutingRule.objects.create(category=water, district=first, organisation=utility)
    RoutingRule.objects.create(category=water, district=second, organisation=other_supplier)
    photo = GeneratedFile.of(PNG, name="pipe.png", content_type="image/png")
    w.report = report_submit(channel=Report.Channel.WEB, description="A burst pipe", category=water,
                             latitude=38.58, longitude=68.8, reporter=people.citizen, photos=[photo])
    w.neighbours_report = report_submit(channel=Report.Channel.WEB, description="No water since Monday",
                                        category=water, latitude=38.54, longitude=68.8,
                                        reporter=people.other_citizen, photos=[photo])
    w.report_photo = _first_photo(w.report)
    w.neighbours_report_photo = _first_photo(w.neighbours_report)
    _accept(w.report, people.supplier)
    # the reports each one may be merged into: the same problem, reported again in the same district
    w.report_master = report_submit(channel=Report.Channel.WEB, description="The pipe again", category=water,
                                    latitude=38.581, longitude=68.8, reporter=people.other_citizen)
    # a place of the address list the report form searches
    Address.objects.create(label="Rudaki Avenue, 45", latitude=38.575, longitude=68.79)
    _following(w)
    w.neighbours_master = report_submit(channel=Report.Channel.WEB, description="Still no water", category=water,
                                        latitude=38.541, longitude=68.8, reporter=people.citizen)
    # an SMS someone sent (its record is what the admin's incoming messages show)
    sms_receive(sender="+998901234567", text="HELP", message_id="world-sms-1")


def _following(w):
    from django.utils import timezone

    from .models import AreaSubscription

    w.area = AreaSubscription.objects.create(email="follower@example.org", latitude=38.58, longitude=68.8,
                                             radius_m=500, confirmed_at=timezone.now())


def _accept(report, supplier_staff):
    from viewflow.workflow.models import Task

    from workflows.flows import OPEN_STATUSES
    from workflows.services import task_claim

    from .services import report_accept

    task = Task.objects.get(process_id=report.process_id, status__in=OPEN_STATUSES)
    task_claim(task=task, actor=supplier_staff)
    report_accept(task=Task.objects.get(pk=task.pk), actor=supplier_staff, data={"decision": "accept"})


def _first_photo(report):
    from documents.selectors import documents_of_case

    return documents_of_case(report).get().versions.get()


def _ref(report):
    return {"reference": report.reference}


#: route name -> world -> (URL arguments for the own object, for the other object or None)
ARGUMENTS = {
    "reports:document": lambda w: ({"pk": w.report.pk, "version_pk": w.report_photo.pk},
                                   {"pk": w.neighbours_report.pk, "version_pk": w.neighbours_report_photo.pk}),
    "reports:document_preview": lambda w: ({"pk": w.report.pk, "version_pk": w.report_photo.pk},
                                           {"pk": w.neighbours_report.pk, "version_pk": w.neighbours_report_photo.pk}),
    "reports:follow_confirm": lambda w: ({"token": w.area.token}, {"token": "no-such-token"}),
    "reports:follow_stop": lambda w: ({"token": w.area.token}, {"token": "no-such-token"}),
    "reports:report": lambda w: (_ref(w.report), _ref(w.neighbours_report)),
    "reports:photo": lambda w: ({**_ref(w.report), "version_pk": w.report_photo.pk},
                                {**_ref(w.report), "version_pk": w.neighbours_report_photo.pk}),
    "reports:answer": lambda w: ({**_ref(w.report), "key": w.report.access_key},
                                 {**_ref(w.report), "key": w.neighbours_report.access_key}),
    # other: the neighbour's photo asked with the own report's link
    "reports:answer_photo": lambda w: ({**_ref(w.report), "key": w.report.access_key, "version_pk": w.report_photo.pk},
                                       {**_ref(w.report), "key": w.report.access_key,
                                        "version_pk": w.neighbours_report_photo.pk}),
    "reports:join": lambda w: (_ref(w.report), _ref(w.neighbours_report)),
    "reports:staff_report": lambda w: (_ref(w.report), _ref(w.neighbours_report)),
    "reports:reroute": lambda w: (_ref(w.report), _ref(w.neighbours_report)),
    "reports:merge": lambda w: (_ref(w.report), _ref(w.neighbours_report)),
    "reports:update": lambda w: (_ref(w.report), _ref(w.neighbours_report)),
    **{f"api-report-{name}": (lambda w: (_ref(w.report), _ref(w.neighbours_report)))
       for name in ("detail", "moderate", "accept", "dispatch", "resolve", "update", "reroute", "merge")},
    # Open311: a service (the category is no one's), a request and its token (both reports are public)
    "open311:service": lambda w: ({"service_code": "water"}, None),
    "open311:request": lambda w: ({"service_request_id": w.report.reference},
                                  {"service_request_id": w.neighbours_report.reference}),
    "open311:token": lambda w: ({"token": str(w.report.token)}, {"token": str(w.neighbours_report.token)}),
}

#: (route name, method) -> (world, own?) -> what the request sends
FORMS = {
    # a tap that broke far from the world's reports (no duplicate to offer), in the first district; the e-mail
    # address is asked of those not signed in only
    ("reports:new", "POST"): lambda w, own: {
        "category": Category.objects.get(code="water").pk, "latitude": "38.57", "longitude": "68.85",
        "description": "The tap by the school is broken.", "email": "resident@example.org"},
    ("reports:join", "POST"): lambda w, own: {"join-email": "neighbour@example.org"},
    ("reports:reroute", "POST"): lambda w, own: {
        "organisation": Organisation.objects.get(code="roads-depot" if own else "city-hall-works").pk,
        "reason": "They cover this street."},
    ("reports:merge", "POST"): lambda w, own: {"master": (w.report_master if own else w.neighbours_master).reference},
    ("reports:update", "POST"): lambda w, own: {"note": "A crew is on its way."},
    # a whole request, but without the api_key nobody in the matrix has
    ("open311:requests", "POST"): lambda w, own: {"service_code": "water", "lat": "38.58", "long": "68.8",
                                                  "description": "A burst pipe on the corner"},
    # what a gateway or a mail provider posts, but unsigned
    ("reports:sms_inbound", "POST"): lambda w, own: {"from": "+998901234567", "text": "WATER no water",
                                                     "id": "matrix-sms"},
    ("reports:mail_inbound", "POST"): lambda w, own: {
        "message": "From: someone@example.org\r\nSubject: No water\r\nMessage-ID: <matrix@example.org>\r\n\r\n"
                   "No water since Monday."},
    ("reports:phone_report", "POST"): lambda w, own: {
        "category": Category.objects.get(code="water").pk, "address": "Navoi street 5",
        "description": "No water since Monday.", "caller_phone": "+998901234567", "language": "en"},
}
