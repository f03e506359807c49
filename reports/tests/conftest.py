"""A small city for the reports' tests: two districts side by side, a dispatch, three categories, suppliers and
their staff, and the routing matrix between them."""

from types import SimpleNamespace

import pytest

from accounts.models import Organisation, Role
from reports.models import Category, District, RoutingRule
from tests.conftest import *  # noqa: F403 - the project's shared fixtures (smtp sink, people, ...)
from tests.factories import UserFactory, member

K = Organisation.Kind

NORTH_POINT = (38.58, 68.78)
SOUTH_POINT = (38.54, 68.78)
OUTSIDE_POINT = (38.70, 68.78)


def square(south, north, west, east):
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


@pytest.fixture
def city(db, settings):
    hall, _created = Organisation.objects.get_or_create(code="city-hall", defaults={"name": "City Hall",
                                                                                     "kind": K.MUNICIPALITY})
    dispatch = Organisation.objects.create(code="communal-dispatch", name="Communal Dispatch", kind=K.DEPARTMENT,
                                           parent=hall)
    settings.MUNIS_REPORTS_DISPATCH = dispatch.code
    north_dept = Organisation.objects.create(code="north", name="North District", kind=K.DEPARTMENT, parent=hall)
    south_dept = Organisation.objects.create(code="south", name="South District", kind=K.DEPARTMENT, parent=hall)
    north = District.objects.create(department=north_dept, boundary=square(38.56, 38.60, 68.74, 68.82))
    south = District.objects.create(department=south_dept, boundary=square(38.52, 38.56, 68.74, 68.82))
    water_co = Organisation.objects.create(code="vodokanal", name="Vodokanal", kind=K.SUPPLIER, parent=hall)
    roads_north = Organisation.objects.create(code="roads-north", name="Roads North", kind=K.SUPPLIER, parent=hall)
    roads_south = Organisation.objects.create(code="roads-south", name="Roads South", kind=K.SUPPLIER, parent=hall)
    water = Category.objects.create(code="water", name_en="Water supply", name_ru="Водоснабжение",
                                    keywords_en="water, tap, pipe", keywords_ru="вода, кран, труба",
                                    resolution_days=2, icon="💧")
    roads = Category.objects.create(code="roads", name_en="Roads", name_ru="Дороги", keywords_en="road, asphalt",
                                    keywords_ru="дорога, асфальт", resolution_days=5)
    pothole = Category.objects.create(code="pothole", name_en="Pothole", name_ru="Яма", parent=roads,
                                      keywords_en="pothole, hole", keywords_ru="яма, выбоина", resolution_days=3)
    lighting = Category.objects.create(code="lighting", name_en="Street lighting", name_ru="Уличное освещение",
                                       keywords_en="light, lamp", keywords_ru="свет, фонарь", resolution_days=4)
    RoutingRule.objects.create(category=water, organisation=water_co)
    RoutingRule.objects.create(category=roads, district=north, organisation=roads_north)
    RoutingRule.objects.create(category=roads, district=south, organisation=roads_south)
    return SimpleNamespace(
        hall=hall, dispatch=dispatch, north=north, south=south, water_co=water_co, roads_north=roads_north,
        roads_south=roads_south, water=water, roads=roads, pothole=pothole, lighting=lighting,
        dispatcher=member(dispatch, Role.CLERK, full_name="Dina Dispatcher"),
        north_clerk=member(north_dept, Role.CLERK, full_name="Nilufar North"),
        north_head=member(north_dept, Role.SUPERVISOR, full_name="Nodira Head"),
        south_clerk=member(south_dept, Role.CLERK, full_name="Sanjar South"),
        water_staff=member(water_co, Role.SUPPLIER, full_name="Vali Water"),
        roads_north_staff=member(roads_north, Role.SUPPLIER, full_name="Rustam Roads"),
        roads_south_staff=member(roads_south, Role.SUPPLIER, full_name="Sardor Roads"),
        resident=UserFactory(full_name="Rano Resident", email="rano@example.org"),
        neighbour=UserFactory(full_name="Timur Neighbour", email="timur@example.org"),
        auditor=member(hall, Role.AUDITOR, full_name="Aziz Auditor"),
    )


from .inbound import gateway  # noqa: E402, F401 - the SMS channel through a memory gateway, for every intake test
