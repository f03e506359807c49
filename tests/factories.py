import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Membership, Organisation, Role, User
from eservices.models import ServiceType, ServiceVersion

PASSWORD = "correct-horse-battery-9"

TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MUNICIPALITY


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType

    code = factory.Sequence(lambda n: f"service-{n}")
    reference_series = factory.Sequence(lambda n: f"S{n % 100000}")
    department = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.DEPARTMENT)


class ServiceVersionFactory(factory.django.DjangoModelFactory):
    """A draft version (number 1 of a new service unless told); publish it with
    ``eservices.services.service_version_publish``."""

    class Meta:
        model = ServiceVersion

    service_type = factory.SubFactory(ServiceTypeFactory)
    number = factory.LazyAttribute(lambda version: version.service_type.versions.count() + 1)
    name = factory.Sequence(lambda n: f"Service {n}")
    form_schema = factory.LazyFunction(lambda: {"type": "object", "properties": {}})
    flow = "permits.BuildingPermitFlow"


def member(organisation, role=Role.CLERK, **user_kwargs):
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def pdf_upload(name="plan.pdf", content=TINY_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def permit_files():
    return {code: pdf_upload(f"{code}.pdf") for code in ("site_plan", "architectural_design", "ownership")}


PERMIT_DATA = {
    "site_address": "12 Navoi Street, Tashkent",
    "cadastral_number": "10:05:0012345:17",
    "building_type": "residential",
    "floors": 3,
    "floor_area": 420.5,
}
