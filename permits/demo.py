"""Demo building permits (``manage.py seed_demo``, after accounts' demo): the
catalog entry, the permit's departments and their staff, and the demo citizen's
permits in every state. Running it again changes nothing.

The building permit shows versioning: the decided cases (and one awaiting its
decision) were filed under version 1, which version 2 (an optional parking
field, a higher fee) has since replaced; the newer cases are filed under version 2."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.demo import ensure_person, person
from accounts.models import Organisation, Role
from eservices import selectors
from eservices import services as applications
from eservices.models import Application
from workflows import services as task_services
from workflows.flows import HUMAN

from . import services
from .catalog import ensure_building_permit_service, ensure_city_hall

# e-mail, full name, role, department's code
STAFF = [
    ("clerk@munis.local", "Dilnoza Yusupova", Role.CLERK, "dept-architecture"),
    ("fire@munis.local", "Farrukh Aliev", Role.CLERK, "dept-fire-safety"),
    ("environment@munis.local", "Gulnora Saidova", Role.CLERK, "dept-environment"),
    ("supervisor@munis.local", "Jamshid Tursunov", Role.SUPERVISOR, "dept-architecture"),
]

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

DEMO_DATA = {
    "site_address": "12 Navoi Street, Tashkent",
    "cadastral_number": "10:05:0012345:17",
    "building_type": "residential",
    "floors": 3,
    "floor_area": 420.5,
    "description": "Three-storey family house with a basement garage.",
}


def demo_files():
    return {code: SimpleUploadedFile(f"{code}.pdf", TINY_PDF, "application/pdf")
            for code in ("site_plan", "architectural_design", "ownership")}


def seed(*, stdout):
    with transaction.atomic():
        service = ensure_building_permit_service()
        _city, departments = ensure_city_hall()
        staff = {email.split("@")[0]: ensure_person(email, name, role, departments[code])
                 for email, name, role, code in STAFF}
    admin = person("admin")
    created = _cases(service, citizen=person("citizen"), admin=admin, **staff)
    _second_version(service, admin)
    stdout.write(f"Building permits: {len(staff)} staff accounts, "
                 f"{Application.objects.count()} applications ({created} new).")


def _cases(service, *, citizen, admin, clerk, fire, environment, supervisor):
    if Application.objects.filter(applicant=citizen).exists():
        return 0
    reviewers = {"review_architecture": clerk, "review_fire_safety": fire, "review_environment": environment}
    districts = {o.code: o for o in Organisation.objects.filter(kind=Organisation.Kind.DISTRICT)}

    def submit(district="district-yunusabad", **overrides):
        return applications.application_apply(actor=citizen, service_type=service, data={**DEMO_DATA, **overrides},
                                          files=demo_files(), district=districts.get(district))

    def work(application, step, actor, handler, data):
        node = getattr(application.process.flow_class.instance, step)
        task = application.process.task_set.get(flow_task_type=HUMAN, status="NEW", flow_task=node)
        task_services.task_claim(task=task, actor=actor)
        task.refresh_from_db()
        handler(task=task, actor=actor, data=data)
        application.refresh_from_db()

    def through_reviews(application):
        work(application, "check_completeness", clerk, services.permit_check_completeness,
             {"complete": True, "comment": ""})
        for step, reviewer in reviewers.items():
            work(application, step, reviewer, services.permit_review, {"favourable": True, "comment": "No objections."})

    # under version 1
    awaiting = submit(site_address="21 Chilanzar Street, Tashkent", floors=5, district="district-chilanzar")
    through_reviews(awaiting)
    approved = submit(site_address="9 Yunusabad 4th Block, Tashkent")
    through_reviews(approved)
    work(approved, "decision", supervisor, services.permit_decide, {"approve": True, "reasons": ""})
    refused = submit(site_address="1 Kukcha Darvoza, Tashkent", floors=12, building_type="commercial")
    through_reviews(refused)
    work(refused, "decision", supervisor, services.permit_decide,
         {"approve": False, "reasons": "Twelve floors exceed the four-floor limit of the historic-centre zoning plan."})
    unanswered = submit(site_address="2 Olmazor Street, Tashkent")
    work(unanswered, "check_completeness", clerk, services.permit_check_completeness,
         {"complete": False, "comment": "The ownership document is missing."})
    applications.application_close_unanswered(task=selectors.open_correction_task(application=unanswered))

    _second_version(service, admin)
    applications.application_save_draft(actor=citizen, service_type=service, data={"site_address": "5 Amir Temur Avenue"})
    submit(site_address="3 Mustaqillik Square, Tashkent", parking_spaces=2)
    correction = submit(site_address="48 Bobur Street, Tashkent")
    work(correction, "check_completeness", clerk, services.permit_check_completeness,
         {"complete": False, "comment": "The site plan is unreadable; please upload a clearer scan."})
    withdrawn = submit(site_address="11 Labzak Street, Tashkent")
    applications.application_withdraw(actor=citizen, application=withdrawn, reason="We are selling the plot.")
    in_review = submit(site_address="7 Shota Rustaveli Street, Tashkent", floors=2)
    work(in_review, "check_completeness", clerk, services.permit_check_completeness,
         {"complete": True, "comment": ""})
    return 9


def _second_version(service, admin):
    """Version 2 of the building permit replaces version 1, once."""
    if service.versions.filter(number=2).exists():
        return
    first = service.versions.get(number=1)
    draft = applications.service_version_new_draft(actor=admin, source=first)
    draft.form_schema["properties"]["parking_spaces"] = {
        "type": "integer", "title": "Parking spaces on the site", "minimum": 0, "maximum": 500,
        "x-title": {"ru": "Парковочные места на участке"},
    }
    draft.fee = Decimal("180000.00")
    applications.service_version_save_draft(actor=admin, version=draft)
    applications.service_version_publish(actor=admin, version=draft)
