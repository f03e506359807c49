"""Demo organisations and people (``manage.py seed_demo`` runs this before any
e-service's demo). Every demo account has the password README gives.

This seeds the organisation tree every module shares (the city hall, the
ministry › region › district › mahalla line, a supplier) and the people who are
not one service's staff: citizens, the auditor, ministry, mahalla and supplier
staff, the administrator. An e-service seeds its own departments and their staff
with :func:`ensure_organisation` and :func:`ensure_person` (eservices/demo.py)."""

from django.db import transaction

from .models import Membership, Organisation, Role, User

DEMO_PASSWORD = "munis-demo-2026"
DEMO_DOMAIN = "munis.local"

K = Organisation.Kind
# code, (English, Russian), kind, parent's code
ORGANISATIONS = [
    ("ministry-mahalla", ("Ministry for Support of Mahallas and Families", "Министерство по поддержке махалли и семьи"),
     K.MINISTRY, None),
    ("region-tashkent", ("Tashkent City", "город Ташкент"), K.REGION, "ministry-mahalla"),
    ("district-yunusabad", ("Yunusabad District", "Юнусабадский район"), K.DISTRICT, "region-tashkent"),
    ("district-chilanzar", ("Chilanzar District", "Чиланзарский район"), K.DISTRICT, "region-tashkent"),
    ("mahalla-navruz", ("Navruz Mahalla", "Махалля «Навруз»"), K.MAHALLA, "district-yunusabad"),
    ("mahalla-bogishamol", ("Bogishamol Mahalla", "Махалля «Богишамол»"), K.MAHALLA, "district-yunusabad"),
    ("city-water", ("City Water Utility", "Городской водоканал"), K.SUPPLIER, "city-hall"),
]

# e-mail, full name, role, organisation's code
PEOPLE = [
    ("citizen@munis.local", "Aziza Karimova", Role.CITIZEN, None),
    ("citizen2@munis.local", "Bekzod Rakhimov", Role.CITIZEN, None),
    ("auditor@munis.local", "Kamola Ergasheva", Role.AUDITOR, "city-hall"),
    ("ministry@munis.local", "Lola Nazarova", Role.MINISTRY, "ministry-mahalla"),
    ("mahalla@munis.local", "Mansur Khodjaev", Role.MAHALLA, "mahalla-navruz"),
    ("supplier@munis.local", "Nodir Ismoilov", Role.SUPPLIER, "city-water"),
    ("admin@munis.local", "Munis Administrator", Role.ADMIN, "city-hall"),
]


def ensure_organisation(code, names, kind, parent=None):
    """Create or update an organisation; ``names`` is (English, Russian)."""
    org, _ = Organisation.objects.update_or_create(
        code=code, defaults={"name_en": names[0], "name_ru": names[1], "kind": kind, "parent": parent})
    return org


def ensure_municipality():
    """The city hall: the municipality every department belongs to."""
    return ensure_organisation("city-hall", ("City Hall", "Городской хокимият"), K.MUNICIPALITY)


def ensure_person(email, full_name, role, organisation=None):
    """A demo account (created once, with the demo password) holding ``role`` in
    ``organisation``; an administrator is also a Django superuser."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, email_verified=True)
    if role == Role.ADMIN and not user.is_superuser:
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    if organisation is not None:
        Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    return user


def person(name):
    """The demo account ``<name>@munis.local``, e.g. ``person("citizen")``."""
    return User.objects.get(email=f"{name}@{DEMO_DOMAIN}")


def seed(*, stdout):
    with transaction.atomic():
        orgs = {"city-hall": ensure_municipality()}
        for code, names, kind, parent in ORGANISATIONS:
            orgs[code] = ensure_organisation(code, names, kind, orgs[parent] if parent else None)
        for email, full_name, role, org_code in PEOPLE:
            ensure_person(email, full_name, role, orgs[org_code] if org_code else None)
    stdout.write(f"People and organisations: {len(orgs)} organisations, {len(PEOPLE)} accounts "
                 f"(password {DEMO_PASSWORD!r}).")
