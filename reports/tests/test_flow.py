"""A report's life: filed, routed by the matrix, accepted, worked, resolved, confirmed; and every turn it can take
(moderation, hand-back, re-route, reopening, automatic close, escalation, merging)."""

import pytest

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.models import OutboxMessage
from reports import selectors, services
from reports.models import Follower, Report
from workflows.models import OpenTask

from .conftest import NORTH_POINT, OUTSIDE_POINT, SOUTH_POINT
from .helpers import actions, file_report, mails_to, open_steps, run_timers, work

S = Report.Status


def test_a_residents_pothole_goes_to_the_roads_supplier_of_its_district(city):
    report = file_report(city, point=NORTH_POINT)

    assert report.reference.startswith("PR-")
    assert report.district == city.north and report.supplier == city.roads_north
    assert report.status == S.ROUTED and report.is_public
    assert open_steps(report) == ["accept"]
    row = OpenTask.objects.get(process_id=report.process_id)
    assert row.department_id == city.roads_north.pk and row.reference == report.reference
    assert actions(report)[:2] == ["reports.report.submit", "reports.report.route"]
    assert report.followers.get().user == city.resident
    [received] = mails_to(city.resident.email)
    assert report.reference in received.subject


@pytest.mark.parametrize(("category", "point", "expected"), [
    ("pothole", SOUTH_POINT, "roads_south"),  # the parent's rule in the other district
    ("water", NORTH_POINT, "water_co"),  # a city-wide rule
    ("water", SOUTH_POINT, "water_co"),
])
def test_the_routing_matrix_places_a_report_by_category_and_the_district_its_point_is_in(city, category, point,
                                                                                        expected):
    report = file_report(city, point=point, category=getattr(city, category))
    assert report.supplier == getattr(city, expected)


def test_a_category_no_rule_covers_goes_to_its_districts_department(city):
    report = file_report(city, point=SOUTH_POINT, category=city.lighting)
    assert report.supplier == city.south.department
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.south.department_id


def test_a_place_outside_the_city_is_refused_and_nothing_is_stored(city):
    with pytest.raises(ValidationFailed) as refused:
        file_report(city, point=OUTSIDE_POINT)
    assert refused.value.code == "outside_city"
    assert "outside the city" in refused.value.fields["location"][0]
    assert not Report.objects.exists() and not OutboxMessage.objects.exists()


def test_a_ten_thousand_character_description_is_refused(city):
    with pytest.raises(ValidationFailed) as refused:
        file_report(city, description="x" * 10_000)
    assert refused.value.code == "description_too_long" and "10000" in str(refused.value.fields["description"][0])
    assert not Report.objects.exists()


def test_the_same_message_delivered_twice_files_one_report(city):
    first = file_report(city, external_id="sms-77", channel=Report.Channel.SMS)
    again = file_report(city, external_id="sms-77", channel=Report.Channel.SMS)
    assert again.pk == first.pk and again._existing and Report.objects.count() == 1


def test_an_anonymous_report_is_moderated_before_it_is_routed_and_public(city):
    report = file_report(city, reporter=None, category=city.water, contact_email="anon@example.org")
    assert report.reporter is None and report.status == S.MODERATION and not report.is_public
    assert selectors.public_report(report.reference) is None
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.dispatch.pk

    work(report, "moderate", city.dispatcher, decision="admit", category=city.water.pk)

    assert report.is_public and report.status == S.ROUTED and report.supplier == city.water_co
    assert "reports.report.moderate" in actions(report)


def test_a_moderator_rejects_a_report_with_a_public_reason(city):
    report = file_report(city, reporter=None, contact_email="anon@example.org")
    work(report, "moderate", city.dispatcher, decision="reject", reason="This is an advertisement.")
    assert report.status == S.REJECTED and not report.is_public and report.public_note == "This is an advertisement."
    assert open_steps(report) == [] and report.process.finished is not None
    assert "This is an advertisement." in mails_to("anon@example.org")[-1].body


def test_accepted_worked_resolved_and_confirmed_fixed(city):
    report = file_report(city)
    work(report, "accept", city.roads_north_staff, decision="accept")
    assert report.status == S.ACCEPTED and open_steps(report) == ["work"]

    services.report_post_update(report=report, actor=city.roads_north_staff, note="Crew sent for Tuesday.")
    report.refresh_from_db()
    assert report.status == S.IN_PROGRESS and report.public_note == "Crew sent for Tuesday."

    work(report, "work", city.roads_north_staff, note="Patched with hot asphalt.")
    assert report.status == S.RESOLVED and report.resolved_at is not None
    assert open_steps(report) == ["confirm"]
    resolved = mails_to(city.resident.email)[-1]
    assert "Patched with hot asphalt." in resolved.body and report.access_key in resolved.body

    services.report_answer(report=report, fixed=True, satisfaction=5, actor=city.resident)
    report.refresh_from_db()
    assert report.status == S.CLOSED and report.fixed is True and report.satisfaction == 5
    assert report.process.finished is not None
    assert actions(report)[-1] == "reports.report.confirm"


def test_another_supplier_cannot_post_updates_on_a_report(city):
    report = file_report(city)
    work(report, "accept", city.roads_north_staff, decision="accept")
    with pytest.raises(PermissionDenied):
        services.report_post_update(report=report, actor=city.roads_south_staff, note="Not ours but hi")


def test_a_supplier_hands_back_a_wrongly_routed_report_and_the_dispatcher_sends_it_on(city):
    report = file_report(city, category=city.water)
    work(report, "accept", city.water_staff, decision="hand_back", comment="This is a sewer, not water supply.")
    assert report.status == S.RETURNED and open_steps(report) == ["dispatch"]
    # the district of the report dispatches it
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.north.department_id

    work(report, "dispatch", city.north_clerk, decision="route", organisation=city.roads_north.pk)
    assert report.supplier == city.roads_north and report.status == S.ROUTED
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.roads_north.pk
    assert "reports.report.hand_back" in actions(report) and "reports.report.dispatch" in actions(report)


def test_a_dispatcher_reroutes_with_a_reason_and_the_first_supplier_loses_sight_of_it(city):
    report = file_report(city)
    with pytest.raises(ValidationFailed):
        services.report_reroute(report=report, actor=city.north_clerk, organisation=city.roads_south, reason=" ")
    with pytest.raises(PermissionDenied):
        services.report_reroute(report=report, actor=city.south_clerk, organisation=city.roads_south,
                                reason="Wrong side")

    services.report_reroute(report=report, actor=city.north_clerk, organisation=city.roads_south,
                            reason="The street belongs to the southern depot.")
    report.refresh_from_db()
    assert report.supplier == city.roads_south
    row = OpenTask.objects.get(process_id=report.process_id)
    assert row.department_id == city.roads_south.pk and row.owner_id is None
    assert selectors.report_for_staff(city.roads_north_staff, report.reference) is None
    assert selectors.report_for_staff(city.roads_south_staff, report.reference) == report
    assert actions(report)[-1] == "reports.report.reroute"


def test_not_fixed_reopens_the_report_for_its_supplier(city):
    report = file_report(city)
    work(report, "accept", city.roads_north_staff, decision="accept")
    work(report, "work", city.roads_north_staff, note="Done.")

    services.report_answer(report=report, fixed=False, satisfaction=1, comment="The hole is still there.",
                           actor=city.resident)
    report.refresh_from_db()
    assert report.status == S.REOPENED and report.reopened_count == 1 and report.satisfaction == 1
    assert open_steps(report) == ["work"]
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.roads_north.pk
    with pytest.raises(InvalidTransition):
        services.report_answer(report=report, fixed=True, satisfaction=5, actor=city.resident)


def test_a_reporter_without_an_account_answers_through_their_link(city):
    report = file_report(city, reporter=None, category=city.water, contact_email="anon@example.org")
    work(report, "moderate", city.dispatcher, decision="admit", category=city.water.pk)
    work(report, "accept", city.water_staff, decision="accept")
    work(report, "work", city.water_staff, note="Valve replaced.")
    services.report_answer(report=report, fixed=True, satisfaction=4)
    report.refresh_from_db()
    assert report.status == S.CLOSED


def test_a_resolved_report_nobody_confirms_closes_by_itself(city, settings):
    report = file_report(city)
    work(report, "accept", city.roads_north_staff, decision="accept")
    work(report, "work", city.roads_north_staff, note="Done.")

    run_timers(days=settings.MUNIS_REPORTS_CONFIRM_DAYS * 2)
    report.refresh_from_db()
    assert report.status == S.CLOSED and report.fixed is None
    assert actions(report)[-1] == "reports.report.close_unconfirmed"


def test_a_supplier_that_misses_its_deadline_is_escalated_to_the_district(city):
    report = file_report(city, category=city.water)
    work(report, "accept", city.water_staff, decision="accept")

    run_timers(days=10)  # water: two working days
    report.refresh_from_db()
    assert report.escalated_at is not None
    assert "reports.report.escalate" in actions(report)
    assert any(report.reference in m.subject for m in mails_to(city.north_clerk.email))
    assert open_steps(report) == ["work"]  # the supplier still has it; the district may re-route


def test_merging_a_duplicate_passes_its_reporter_the_masters_news(city):
    master = file_report(city)
    duplicate = file_report(city, reporter=city.neighbour, description="Hole in the road again")

    services.report_merge(duplicate=duplicate, master=master, actor=city.north_clerk)
    duplicate.refresh_from_db()
    assert duplicate.status == S.MERGED and duplicate.duplicate_of == master and open_steps(duplicate) == []
    assert master.followers.filter(user=city.neighbour, reason=Follower.Reason.MERGED).exists()
    assert master.reference in mails_to(city.neighbour.email)[-1].subject

    work(master, "accept", city.roads_north_staff, decision="accept")
    work(master, "work", city.roads_north_staff, note="Filled.")
    assert "Filled." in mails_to(city.neighbour.email)[-1].body
    assert selectors.public_counts() == {"received": 2, "unique": 1}


def test_duplicates_are_suggested_within_250_metres_and_not_at_300(city):
    metre = 1 / 111_195  # of latitude
    near = file_report(city, point=(38.58 - 200 * metre, 68.78))
    file_report(city, point=(38.58 + 300 * metre, 68.78))
    found = selectors.duplicate_candidates(category=city.pothole, latitude=38.58, longitude=68.78)
    assert [r.pk for r in found] == [near.pk] and 195 <= found[0].distance_m <= 205
    assert selectors.duplicate_candidates(category=city.water, latitude=38.58, longitude=68.78) == []


def test_me_too_makes_a_neighbour_a_follower_once(city):
    report = file_report(city)
    services.report_join(report=report, user=city.neighbour)
    services.report_join(report=report, user=city.neighbour)
    assert report.followers.filter(reason=Follower.Reason.ME_TOO).count() == 1
    assert actions(report).count("reports.report.join") == 1
