"""`make run`'s problem reports: Dushanbe's sixteen communal-service categories, twenty-four suppliers, four
districts with boundaries, and reports over two years in every state, the seasons showing."""

from django.core.management import call_command

from accounts.models import Organisation
from reports.demo import ADDRESSES, DISTRICTS
from reports.geo import district_at
from reports.models import Address, Category, District, Report, RoutingRule


def test_the_demo_city_has_its_catalog_suppliers_districts_and_reports_in_every_state(transactional_db, settings):
    settings.MUNIS_REPORTS_DEMO_COUNT = 40
    call_command("seed_demo")
    assert Category.objects.filter(parent=None).count() == 16
    assert Organisation.objects.filter(kind=Organisation.Kind.SUPPLIER).count() == 24
    assert District.objects.count() == 4
    for code, _names, (west, east), (south, north) in DISTRICTS:  # each district's middle lies in it
        assert district_at((south + north) / 2, (west + east) / 2).department.code == code
    # every category and district finds someone to send a report to
    assert RoutingRule.objects.filter(district=None).count() + RoutingRule.objects.exclude(district=None).count() >= 24
    states = set(Report.objects.values_list("status", flat=True))
    assert states >= set(Report.Status.values) - {Report.Status.RECEIVED}  # received lasts only while filing
    ages = Report.objects.values_list("created_at", flat=True)
    assert (max(ages) - min(ages)).days > 600  # two years of reports
    # the address list the report form searches: every place inside a district
    assert Address.objects.count() == len(ADDRESSES) >= 40
    assert all(district_at(a.latitude, a.longitude) is not None for a in Address.objects.all())
    counts = {r: Report.objects.count() for r in ("all",)}
    call_command("seed_demo")  # again: nothing changes
    assert Report.objects.count() == counts["all"] and Address.objects.count() == len(ADDRESSES)
