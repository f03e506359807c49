"""Who may open what in each state of a case: the requests the route matrix does not make.

tests/test_route_matrix.py asks every route, as every person of ``core.route_access.ROLES``, with one object of
their own and one of another's, against the policy its urls.py declares. ``TABLE`` here adds what depends on a
case's state, a query string or an object that does not exist; each row is one request and the outcome each
person gets, written with the policies of core.route_access:

* a draft is its applicant's alone, until it is submitted;
* the fire-safety clerk (``other_clerk``) sees a case once a task is routed to fire safety;
* ministry, mahalla and supplier staff work their organisations' queues: no permit case reaches them;
* a page with nothing to do for this case (edit a submitted case, a correction nobody asked for) sends its
  applicant back to the case; an unknown code or pk is 404 for whoever may open the route at all;
* a filter the inbox or the analytics do not offer is a 400;
* a decision is claimed by the head of the department only.

Each request runs in a savepoint that is rolled back, so every person meets the same world (tests/world.py).
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.audit import trail_key_for
from core.route_access import (
    LOGIN,
    PAGE,
    ROLES,
    Access,
    Administrators,
    ApiOwnerOnly,
    Auditors,
    CaseReaders,
    OwnerOnly,
    ProcessAnalytics,
    ProcessDiagrams,
    QueueWorkers,
    StaffElsewhere,
    answers,
)

from . import cases
from .world import Visitors, build_world, outcome


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Any  # world -> path
    expected: Access  # its ``own`` row: one outcome per person of ROLES
    data: Any = None  # world -> POST data


def _app(name, case, *extra):
    return lambda w: reverse(f"eservices:{name}", args=[getattr(w, case).pk, *(f(w) for f in extra)])


def _task(name, task):
    return lambda w: reverse(f"workflows:{name}", args=[getattr(w, task).pk])


def _first_attachment(case):
    return lambda w: cases.versions_of(getattr(w, case)).first().pk


PERMIT_FLOW = "permits.BuildingPermitFlow"


def _diagram(case=None):
    """The permit flow's diagram page, with one case's process highlighted."""
    def url(w):
        path = reverse("workflows:flow", args=[PERMIT_FLOW])
        return f"{path}?process={getattr(w, case).process_id}" if case else path
    return url


ALL_404 = Access(answers(404))
SIGNED_IN_404 = Access(answers(404, anonymous=LOGIN))
API_404 = Access(answers(404, anonymous=403))
NOTHING_TO_DO_HERE = Access(answers(404, anonymous=LOGIN, citizen=PAGE))  # the applicant is sent back to the case
READ_BY_FIRE_SAFETY_TOO = CaseReaders.but(other_clerk=200)  # once a task is routed there
NO_OTHER_WORKERS = {"ministry": 404, "mahalla": 404, "supplier": 404}  # no permit case is routed to them
DIAGRAM_404 = StaffElsewhere.but(auditor=404, admin=404)

TABLE = [
    # --- public pages: what does not exist ------------------------------------------------------------------------
    Row("service page, unknown code", "GET", lambda w: reverse("eservices:service", args=["no-such-service"]),
        ALL_404),
    Row("verify page, unknown code", "GET", lambda w: reverse("documents:verify", args=["K7QM-3XPA-9R"]), ALL_404),
    Row("apply form, unknown service", "GET", lambda w: reverse("eservices:apply", args=["no-such-service"]),
        SIGNED_IN_404),
    # --- a case in each state ---------------------------------------------------------------------------------------
    Row("case: draft", "GET", _app("application", "draft"), OwnerOnly),
    Row("case: in review (routed to fire safety too)", "GET", _app("application", "reviewing"),
        READ_BY_FIRE_SAFETY_TOO),
    Row("case: no such pk", "GET", lambda w: reverse("eservices:application", args=[w.missing_pk]), SIGNED_IN_404),
    Row("attachment of a case in review", "GET", _app("document", "reviewing", _first_attachment("reviewing")),
        READ_BY_FIRE_SAFETY_TOO),
    Row("attachment of a draft", "GET", _app("document", "draft", _first_attachment("draft")), OwnerOnly),
    Row("attachment preview, not made yet", "GET",
        _app("document_preview", "reviewing", _first_attachment("reviewing")), SIGNED_IN_404),
    Row("edit a submitted case", "GET", _app("edit_draft", "checking"), NOTHING_TO_DO_HERE),
    Row("correction form, nothing to correct", "GET", _app("correction", "checking"), NOTHING_TO_DO_HERE),
    Row("decision PDF, not decided yet", "GET", _app("decision", "reviewing"), SIGNED_IN_404),
    # --- staff inbox and tasks ----------------------------------------------------------------------------------------
    Row("inbox, my tasks", "GET", lambda w: reverse("workflows:inbox") + "?tab=mine", QueueWorkers),
    Row("inbox, team", "GET", lambda w: reverse("workflows:inbox") + "?tab=team", QueueWorkers),
    Row("inbox, overdue", "GET", lambda w: reverse("workflows:inbox") + "?tab=overdue", QueueWorkers),
    Row("inbox, filtered and searched", "GET", lambda w: reverse("workflows:inbox") + "?q=BP-&due=overdue&sort=due",
        QueueWorkers),
    Row("inbox, a filter it does not offer", "GET", lambda w: reverse("workflows:inbox") + "?due=someday",
        QueueWorkers.succeeding_with(400)),
    # a colleague of the architecture department: nobody's colleague elsewhere
    Row("name a substitute", "POST", lambda w: reverse("workflows:delegations"),
        QueueWorkers.succeeding_with(400).but(clerk=PAGE, supervisor=PAGE),
        data=lambda w: {"substitute": w.clerk2.pk, "starts_on": str(timezone.localdate() + timedelta(10)),
                        "ends_on": str(timezone.localdate() + timedelta(10))}),  # after the clerk's absence today
    Row("withdraw a substitute: no such", "POST", lambda w: reverse("workflows:delegation_revoke", args=[w.missing_pk]),
        StaffElsewhere),
    Row("incident retry: no such incident", "POST", lambda w: reverse("workflows:incident_retry", args=[w.missing_pk]),
        Administrators.succeeding_with(404)),
    Row("incident skip: no such incident", "POST", lambda w: reverse("workflows:incident_skip", args=[w.missing_pk]),
        Administrators.succeeding_with(404), data=lambda w: {"reason": "test"}),
    Row("task page: the citizen's correction", "GET", _task("task", "correction_task"), StaffElsewhere),
    Row("task page: no such pk", "GET", lambda w: reverse("workflows:task", args=[w.missing_pk]), StaffElsewhere),
    Row("complete a task held by the clerk", "POST", _task("task", "held_task"),
        StaffElsewhere.but(clerk=PAGE, supervisor=403), data=lambda w: {"complete": "yes"}),
    Row("claim: the decision (heads of department only)", "POST", _task("claim", "decision_task"),
        StaffElsewhere.but(clerk=403, supervisor=PAGE)),
    # --- process diagrams ---------------------------------------------------------------------------------------------
    Row("process diagram, unknown flow", "GET", lambda w: reverse("workflows:flow", args=["eservices.NoSuchFlow"]),
        DIAGRAM_404),
    Row("process diagram of a case in review", "GET", _diagram("reviewing"), ProcessDiagrams.but(**NO_OTHER_WORKERS)),
    Row("process diagram of a case at completeness check", "GET", _diagram("checking"),
        ProcessDiagrams.but(other_clerk=404, **NO_OTHER_WORKERS)),
    Row("process diagram of a case in correction", "GET", _diagram("correcting"),
        ProcessDiagrams.but(other_clerk=404, **NO_OTHER_WORKERS)),
    Row("process diagram, no such case", "GET",
        lambda w: reverse("workflows:flow", args=[PERMIT_FLOW]) + f"?process={w.missing_pk}", DIAGRAM_404),
    # --- process analytics --------------------------------------------------------------------------------------------
    Row("process analytics, bad month", "GET", lambda w: reverse("workflows:analytics") + "?from_month=2026-13",
        ProcessAnalytics.succeeding_with(400)),
    Row("process analytics CSV, bad month", "GET", lambda w: reverse("workflows:analytics_csv") + "?to_month=x",
        ProcessAnalytics.succeeding_with(400)),
    # --- audit ----------------------------------------------------------------------------------------------------------
    Row("audit search with a query", "GET", lambda w: reverse("audit:search") + "?q=BP-", Auditors),
    Row("audit trail of a case in review", "GET", lambda w: reverse("audit:trail", args=[trail_key_for(w.reviewing)]),
        Auditors),
    Row("audit trail, unknown key", "GET", lambda w: reverse("audit:trail", args=["eservices.application:0"]),
        Auditors.succeeding_with(404)),
    # --- REST API -------------------------------------------------------------------------------------------------------
    Row("API: unknown service", "GET", lambda w: "/api/v1/services/no-such-service/", ALL_404),
    Row("API: own draft", "GET", lambda w: f"/api/v1/applications/{w.draft.pk}/", ApiOwnerOnly),
    Row("API: no such pk", "GET", lambda w: f"/api/v1/applications/{w.missing_pk}/", API_404),
    Row("API: no such upload", "GET", lambda w: "/api/v1/uploads/0b7c2c8e-8a52-4d8e-9d43-3f1c3b0e6a11/", API_404),
]


def test_every_role_gets_the_designed_status_in_each_state(people):
    w = build_world(people)
    visitors = Visitors(people)
    wrong = []
    for spec in TABLE:
        path = spec.url(w)
        data = spec.data(w) if spec.data else None
        for role in ROLES:
            got = outcome(visitors.ask(role, spec.method, path, data))
            if got != spec.expected.expected(role):
                wrong.append(f"{spec.name}: {spec.method} {path} as {role}: expected {spec.expected.expected(role)}, "
                             f"got {got}")
    assert not wrong, "\n".join(wrong)


def test_login_and_signup_pages_are_open_to_anonymous_visitors(client, people):
    for name in ("accounts:login", "accounts:signup"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'name="password' in response.content.decode(), name
    client.force_login(people.citizen)
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302 and response["Location"] == reverse("home")


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


def test_a_citizen_cannot_read_another_citizens_case_or_document_by_guessing_ids(client, people):
    """Bekzod walks every id around Aziza's cases and documents, over HTML and
    the API: everything that is not his is 404, and nothing of hers leaks
    into his lists."""
    citizen, clerk = people.citizen, people.clerk
    draft, held, decided = cases.draft(citizen), cases.submitted(citizen), cases.approved(citizen, people)
    cases.claimed(held, "check_completeness", clerk)
    hers = [draft, cases.submitted(citizen), held, cases.in_review(citizen, clerk), cases.in_correction(citizen, clerk),
            decided]
    mine = cases.submitted(people.other_citizen)
    her_refs = [a.reference for a in hers if a.reference]
    her_attachments = [(a.pk, version.pk) for a in hers for version in cases.versions_of(a)]
    assert len(her_refs) == 5 and len(her_attachments) >= 15
    all_pks = [a.pk for a in hers] + [mine.pk]
    guesses = [pk for pk in range(max(1, min(all_pks) - 2), max(all_pks) + 3) if pk != mine.pk]

    # Aziza herself can read each of them: the ids below are real ones.
    client.force_login(people.citizen)
    for app_pk, att_pk in her_attachments:
        assert client.get(reverse("eservices:document", args=[app_pk, att_pk])).status_code == 200
    assert client.get(f"/api/v1/applications/{decided.pk}/").json()["reference"] == decided.reference

    client.force_login(people.other_citizen)
    for pk in guesses:
        for name in ("application", "edit_draft", "correction", "decision"):
            response = client.get(reverse(f"eservices:{name}", args=[pk]))
            assert response.status_code == 404, (name, pk)
        response = client.get(f"/api/v1/applications/{pk}/")
        assert response.status_code == 404, ("api", pk)
        assert response["Content-Type"] == "application/problem+json"
        response = client.post(reverse("eservices:edit_draft", args=[pk]), {"action": "submit"})
        assert response.status_code == 404, ("submit", pk)
    for app_pk, att_pk in her_attachments:
        # her document under her case, and under his own case (a tampered URL)
        for owner_pk in (app_pk, mine.pk):
            response = client.get(reverse("eservices:document", args=[owner_pk, att_pk]))
            assert response.status_code == 404, (owner_pk, att_pk)
            assert "%PDF" not in _body(response)

    pages = [client.get(reverse("eservices:my_applications")).content.decode(),
             client.get("/api/v1/applications/").content.decode()]
    assert all(mine.reference in page for page in pages)
    for ref in her_refs:
        assert all(ref not in page for page in pages), ref
    assert client.get("/api/v1/applications/").json()["count"] == 1

    # Nothing was changed by the attempts.
    draft.refresh_from_db()
    assert draft.status == "draft"
