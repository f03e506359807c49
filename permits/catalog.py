"""The building-permit catalog entry and the organisations it needs.

Shared by ``seed_demo`` and the test factories so demo data and tests describe
the same service.
"""

import datetime
from decimal import Decimal

from accounts.demo import ensure_municipality, ensure_organisation
from accounts.models import Organisation
from eservices.catalog import publish_first_version
from eservices.models import ServiceType, TaskRoute

BUILDING_PERMIT_SCHEMA = {
    "type": "object",
    "required": ["site_address", "cadastral_number", "building_type", "floors", "floor_area"],
    # the order of the questions (PostgreSQL does not keep the order of "properties")
    "x-order": ["site_address", "cadastral_number", "building_type", "floors", "floor_area", "start_date",
                "description"],
    "properties": {
        "site_address": {
            "type": "string", "title": "Site address", "minLength": 5, "maxLength": 300,
            "x-title": {"ru": "Адрес участка"},
        },
        "cadastral_number": {
            "type": "string", "title": "Cadastral number", "pattern": "^[0-9]{2}:[0-9]{2}:[0-9]{4,7}:[0-9]{1,5}$",
            "description": "For example 10:05:0012345:17", "x-title": {"ru": "Кадастровый номер"},
            "x-description": {"ru": "Например, 10:05:0012345:17"},
            "x-pattern-message": {
                "en": "Enter four groups of digits separated by colons, for example 10:05:0012345:17.",
                "ru": "Введите четыре группы цифр через двоеточие, например 10:05:0012345:17.",
            },
        },
        "building_type": {
            "type": "string", "title": "Type of building",
            "enum": ["residential", "commercial", "industrial", "public"],
            "x-title": {"ru": "Тип здания"},
            "x-enum-titles": {
                "en": {"residential": "Residential", "commercial": "Commercial", "industrial": "Industrial", "public": "Public"},
                "ru": {"residential": "Жилое", "commercial": "Коммерческое", "industrial": "Промышленное", "public": "Общественное"},
            },
        },
        "floors": {"type": "integer", "title": "Number of floors", "minimum": 1, "maximum": 40,
                   "x-title": {"ru": "Количество этажей"}},
        "floor_area": {"type": "number", "title": "Total floor area (m²)", "minimum": 10, "maximum": 100000,
                       "x-title": {"ru": "Общая площадь (м²)"}},
        "start_date": {"type": "string", "format": "date", "title": "Planned start of works",
                       "x-title": {"ru": "Плановое начало работ"}},
        "description": {"type": "string", "title": "Description of the works", "maxLength": 2000,
                        "x-title": {"ru": "Описание работ"}},
    },
}

DOCUMENTS = [
    ("site_plan", "Site plan", "Ситуационный план", True),
    ("architectural_design", "Architectural design", "Архитектурный проект", True),
    ("ownership", "Proof of land ownership or lease", "Документ о праве на землю", True),
    ("environmental_assessment", "Environmental assessment", "Экологическая экспертиза", False),
]

DEPARTMENTS = {
    "dept-architecture": ("Department of Architecture and Urban Planning", "Управление архитектуры и градостроительства"),
    "dept-fire-safety": ("Fire Safety Department", "Отдел пожарной безопасности"),
    "dept-environment": ("Environmental Protection Department", "Отдел охраны окружающей среды"),
}

ROUTES = {
    "review_fire_safety": "dept-fire-safety",
    "review_environment": "dept-environment",
}


def ensure_city_hall():
    city = ensure_municipality()
    departments = {code: ensure_organisation(code, names, Organisation.Kind.DEPARTMENT, city)
                   for code, names in DEPARTMENTS.items()}
    return city, departments


BUILDING_PERMIT = {
    "name_en": "Building permit",
    "name_ru": "Разрешение на строительство",
    "description_en": "Permission to build, extend or substantially alter a building. "
    "The application is checked for completeness, reviewed for architecture, fire safety "
    "and environment, and decided by the head of the department.",
    "description_ru": "Разрешение на строительство, расширение или существенное изменение здания. "
    "Заявление проходит проверку комплектности, архитектурную, пожарную и экологическую "
    "экспертизу; решение принимает начальник управления.",
    "form_schema": BUILDING_PERMIT_SCHEMA,
    "fee": Decimal("150000.00"),
    "deadline_days": 30,
    "appeal_days": 30,
    "appeal_body_en": "The Hokim (head) of the city",
    "appeal_body_ru": "Хоким города",
    "appeal_address_en": "City Hall, reception office for appeals, 1 Mustaqillik Square, Tashkent; "
    "or by e-mail to appeals@cityhall.example",
    "appeal_address_ru": "Хокимият города, приёмная по жалобам, площадь Мустакиллик, 1, Ташкент; "
    "или по электронной почте appeals@cityhall.example",
    "flow": "permits.BuildingPermitFlow",
}


#: version 1 of the building permit is an established service: in force since
#: long before any demo case or test (some tests travel back in time)
BUILDING_PERMIT_IN_FORCE_SINCE = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)


def ensure_building_permit_service():
    """The building-permit service and its routing; the first time, its
    version 1 is published. A published version is never changed, so running
    this again leaves the versions as they are."""
    _city, departments = ensure_city_hall()
    service, _ = ServiceType.objects.update_or_create(
        code="building-permit", defaults={"reference_series": "BP", "department": departments["dept-architecture"]})
    for step, dept in ROUTES.items():
        TaskRoute.objects.update_or_create(service_type=service, task=step, defaults={"department": departments[dept]})
    if not service.versions.exists():
        publish_first_version(service, content=BUILDING_PERMIT, documents=DOCUMENTS,
                              valid_from=BUILDING_PERMIT_IN_FORCE_SINCE)
    return service
