"""The licensing office and its clerk (seed_demo runs this after accounts' demo,
whose city hall it belongs to)."""

from accounts.demo import ensure_organisation, ensure_person
from accounts.models import Organisation, Role


def seed(*, stdout):
    city = Organisation.objects.get(code="city-hall")
    office = ensure_organisation("dept-licensing", ("Licensing Office", "Отдел лицензирования"),
                                 Organisation.Kind.DEPARTMENT, city)
    ensure_person("licensing@munis.local", "Laylo Licensing", Role.CLERK, office)
    stdout.write("Trade licences: the licensing office and its clerk.")
