"""Who may open what: every page and API endpoint, as every role.

Each row of ``TABLE`` is one request; each column one person of the ``people``
fixture. The expected codes are the design:

* another citizen's case or document is 404 — its existence is not revealed;
  a document's preview is read like the document, and is 404 until it is made;
* anonymous visitors are sent to the login page (HTML) or refused (API, 403);
* the staff inbox and task pages are for whoever works an organisation's
  queue: clerks and supervisors of departments, ministry and supplier staff
  (403 for anyone else); a task of another organisation is 404;
* clerks see their department's cases once submitted (never drafts); the
  fire-safety clerk sees a case only once a task is routed to fire safety;
* auditors and administrators read every case but work no task; a draft is its
  applicant's alone until it is submitted (404 for everyone else);
* process diagrams are for staff, auditors and administrators; one case's
  diagram only for those who see that case (404 otherwise);
* process analytics are for supervisors (their departments' figures), auditors
  and administrators; a bad filter is a 400;
* the audit log and the legal-hold desk are for auditors and administrators only;
* the verify page of an issued document is public: everyone gets it, no login;
* the REST API serves a citizen their own applications only;
* an upload session (resumable uploads) is its owner's alone: anyone else gets
  404, whoever signed in may start one.

Each request runs in a savepoint that is rolled back, so every person meets
the same data (a claim by the clerk does not turn the supervisor's claim into
a 409).
"""

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.audit import trail_key_for
from documents.previews import DocumentPreview, preview_make
from documents.resumable import upload_session_start
from eservices.selectors import decision_letter_of

from . import cases

ROLES = ("anonymous", "citizen", "other_citizen", "clerk", "fire", "supervisor", "auditor", "ministry", "supplier",
         "admin")

LOGIN = "302→login"  # redirected to the site's login page
ADMIN_LOGIN = "302→admin login"  # redirected to the admin site's login page
ELSEWHERE = "302→page"  # redirected to a page of the site (done, or nothing to do here)


@dataclass(frozen=True)
class Row:
    method: str
    url: Any  # world -> path
    expected: dict
    data: Any = None  # world -> POST data
    needs: tuple = ()  # extra fixtures (slow to build) the row needs, set on the world under their names


def row(name, method, url, statuses, data=None, needs=()):
    assert len(statuses) == len(ROLES), name
    return pytest.param(Row(method, url, dict(zip(ROLES, statuses, strict=True)), data, needs), id=name)


def _app(name, case, *extra):
    return lambda w: reverse(f"eservices:{name}", args=[getattr(w, case).pk, *(f(w) for f in extra)])


def _task(name, task):
    return lambda w: reverse(f"workflows:{name}", args=[getattr(w, task).pk])


def _api_app(case):
    return lambda w: f"/api/v1/applications/{getattr(w, case).pk}/"


def _first_attachment(case):
    return lambda w: cases.versions_of(getattr(w, case)).first().pk


def _fixed(path):
    return lambda w: path


def _verify(case):
    """The public verify page of the case's issued decision letter."""
    return lambda w: reverse("documents:verify", args=[decision_letter_of(getattr(w, case)).display_code])


def _upload(w):
    return f"/api/v1/uploads/{w.upload.pk}/"


PERMIT_FLOW = "eservices.BuildingPermitFlow"


def _diagram(case=None):
    """The permit flow's diagram page, with one case's process highlighted."""
    def url(w):
        path = reverse("workflows:flow", args=[PERMIT_FLOW])
        return f"{path}?process={getattr(w, case).process_id}" if case else path
    return url


ALL_200 = (200,) * 10
ALL_404 = (404,) * 10
HTML_LOGGED_IN = (LOGIN,) + (200,) * 9
API_LOGGED_IN = (403,) + (200,) * 9
#                 anon   cit  other clerk fire  sup   aud   min   supp  admin
OWN_ONLY = (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404)
NOT_STAFF = (LOGIN, 403, 403, 200, 200, 200, 403, 200, 200, 403)
AUDIT_ONLY = (LOGIN, 403, 403, 403, 403, 403, 200, 403, 403, 200)
GET_ON_POST_ONLY = (LOGIN,) + (405,) * 9
DIAGRAMS = (LOGIN, 403, 403, 200, 200, 200, 200, 200, 200, 200)
ANALYTICS = (LOGIN, 403, 403, 403, 403, 200, 200, 403, 403, 200)

TABLE = [
    # --- public pages and probes ---------------------------------------------------------------------------------
    row("home", "GET", _fixed("/"), ALL_200),
    row("healthz", "GET", _fixed("/healthz"), ALL_200),
    row("readyz", "GET", _fixed("/readyz"), ALL_200),
    row("catalog", "GET", lambda w: reverse("eservices:catalog"), ALL_200),
    row("service page", "GET", lambda w: reverse("eservices:service", args=["building-permit"]), ALL_200),
    row("service page, unknown code", "GET", lambda w: reverse("eservices:service", args=["no-such-service"]), ALL_404),
    row("verify: type a code", "GET", lambda w: reverse("documents:verify_lookup"), ALL_200),
    row("verify page of an issued permit", "GET", _verify("decided"), ALL_200, needs=("decided",)),
    row("verify page, unknown code", "GET", lambda w: reverse("documents:verify", args=["K7QM-3XPA-9R"]), ALL_404),
    # --- citizen portal --------------------------------------------------------------------------------------------
    row("apply form", "GET", lambda w: reverse("eservices:apply", args=["building-permit"]), HTML_LOGGED_IN),
    row("apply form, unknown service", "GET", lambda w: reverse("eservices:apply", args=["no-such-service"]),
        (LOGIN,) + (404,) * 9),
    row("my applications", "GET", lambda w: reverse("eservices:my_applications"), HTML_LOGGED_IN),
    #                                                            anon   cit  other clerk fire  sup   aud   min   supp  admin
    row("case: draft", "GET", _app("application", "draft"), OWN_ONLY),
    row("case: at completeness check", "GET", _app("application", "checking"),
        (LOGIN, 200, 404, 200, 404, 200, 200, 404, 404, 200)),
    row("case: in review (routed to fire safety)", "GET", _app("application", "reviewing"),
        (LOGIN, 200, 404, 200, 200, 200, 200, 404, 404, 200)),
    row("case: another citizen's", "GET", _app("application", "neighbours"),
        (LOGIN, 404, 200, 200, 404, 200, 200, 404, 404, 200)),
    row("case: no such pk", "GET", lambda w: reverse("eservices:application", args=[w.missing_pk]),
        (LOGIN,) + (404,) * 9),
    row("attachment of a case in review", "GET", _app("document", "reviewing", _first_attachment("reviewing")),
        (LOGIN, 200, 404, 200, 200, 200, 200, 404, 404, 200)),
    row("attachment of a draft", "GET", _app("document", "draft", _first_attachment("draft")), OWN_ONLY),
    row("attachment preview, not made yet", "GET", _app("document_preview", "reviewing", _first_attachment("reviewing")),
        (LOGIN,) + (404,) * 9),
    row("attachment preview, ready", "GET", _app("document_preview", "previewed", _first_attachment("previewed")),
        (LOGIN, 200, 404, 200, 200, 200, 200, 404, 404, 200), needs=("previewed",)),
    row("edit draft", "GET", _app("edit_draft", "draft"), OWN_ONLY),
    row("edit a submitted case", "GET", _app("edit_draft", "checking"),
        (LOGIN, ELSEWHERE, 404, 404, 404, 404, 404, 404, 404, 404)),
    row("correction form, correction open", "GET", _app("correction", "correcting"), OWN_ONLY),
    row("correction form, nothing to correct", "GET", _app("correction", "checking"),
        (LOGIN, ELSEWHERE, 404, 404, 404, 404, 404, 404, 404, 404)),
    row("decision PDF, not decided yet", "GET", _app("decision", "reviewing"), (LOGIN,) + (404,) * 9),
    row("decision PDF, permit issued", "GET", _app("decision", "decided"),
        (LOGIN, 200, 404, 200, 200, 200, 200, 404, 404, 200), needs=("decided",)),
    # --- staff inbox and tasks --------------------------------------------------------------------------------------
    #                                                            anon   cit  other clerk fire  sup   aud   min   supp  admin
    row("inbox", "GET", lambda w: reverse("workflows:inbox"), NOT_STAFF),
    row("inbox, my tasks", "GET", lambda w: reverse("workflows:inbox") + "?tab=mine", NOT_STAFF),
    row("inbox, team", "GET", lambda w: reverse("workflows:inbox") + "?tab=team", NOT_STAFF),
    row("inbox, overdue", "GET", lambda w: reverse("workflows:inbox") + "?tab=overdue", NOT_STAFF),
    row("inbox, filtered and searched", "GET", lambda w: reverse("workflows:inbox") + "?q=BP-&due=overdue&sort=due",
        NOT_STAFF),
    row("inbox, a filter it does not offer", "GET", lambda w: reverse("workflows:inbox") + "?due=someday",
        (LOGIN, 403, 403, 400, 400, 400, 403, 400, 400, 403)),
    row("bulk reassign the clerk's task", "POST", lambda w: reverse("workflows:inbox_reassign"),
        (LOGIN, 403, 403, 403, 403, ELSEWHERE, 403, 403, 403, 403),
        data=lambda w: {"tasks": [w.held_task.pk], "assignee": w.clerk2.pk}),
    row("bulk reassign with GET", "GET", lambda w: reverse("workflows:inbox_reassign"), GET_ON_POST_ONLY),
    row("absence and substitutes", "GET", lambda w: reverse("workflows:delegations"), NOT_STAFF),
    row("name a substitute (a colleague of the architecture department)", "POST",
        lambda w: reverse("workflows:delegations"), (LOGIN, 403, 403, ELSEWHERE, 400, ELSEWHERE, 403, 400, 400, 403),
        data=lambda w: {"substitute": w.clerk2.pk, "starts_on": str(timezone.localdate()),
                        "ends_on": str(timezone.localdate())}),
    row("withdraw a substitute: no such", "POST", lambda w: reverse("workflows:delegation_revoke", args=[w.missing_pk]),
        (LOGIN, 403, 403, 404, 404, 404, 403, 404, 404, 403)),
    row("incident list", "GET", lambda w: reverse("workflows:incidents"), AUDIT_ONLY),
    row("incident retry: no such incident", "POST", lambda w: reverse("workflows:incident_retry", args=[w.missing_pk]),
        (LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 404)),
    row("incident skip: no such incident", "POST", lambda w: reverse("workflows:incident_skip", args=[w.missing_pk]),
        (LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 404), data=lambda w: {"reason": "test"}),
    row("task page: architecture review", "GET", _task("task", "arch_task"),
        (LOGIN, 403, 403, 200, 404, 200, 403, 404, 404, 403)),
    row("task page: fire-safety review", "GET", _task("task", "fire_task"),
        (LOGIN, 403, 403, 404, 200, 404, 403, 404, 404, 403)),
    row("task page: the citizen's correction", "GET", _task("task", "correction_task"),
        (LOGIN, 403, 403, 404, 404, 404, 403, 404, 404, 403)),
    row("task page: no such pk", "GET", lambda w: reverse("workflows:task", args=[w.missing_pk]),
        (LOGIN, 403, 403, 404, 404, 404, 403, 404, 404, 403)),
    row("complete a task held by the clerk", "POST", _task("task", "held_task"),
        (LOGIN, 403, 403, ELSEWHERE, 404, 403, 403, 404, 404, 403), data=lambda w: {"complete": "yes"}),
    row("claim: architecture review", "POST", _task("claim", "arch_task"),
        (LOGIN, 403, 403, ELSEWHERE, 404, ELSEWHERE, 403, 404, 404, 403)),
    row("claim: fire-safety review", "POST", _task("claim", "fire_task"),
        (LOGIN, 403, 403, 404, ELSEWHERE, 404, 403, 404, 404, 403)),
    row("claim: the decision (supervisors only)", "POST", _task("claim", "decision_task"),
        (LOGIN, 403, 403, 403, 404, ELSEWHERE, 403, 404, 404, 403), needs=("decision_task",)),
    row("unclaim a task held by the clerk", "POST", _task("unclaim", "held_task"),
        (LOGIN, 403, 403, ELSEWHERE, 404, ELSEWHERE, 403, 404, 404, 403)),
    row("reassign a task held by the clerk", "POST", _task("reassign", "held_task"),
        (LOGIN, 403, 403, 403, 404, ELSEWHERE, 403, 404, 404, 403), data=lambda w: {"assignee": w.clerk2.pk}),
    row("claim with GET", "GET", _task("claim", "arch_task"), GET_ON_POST_ONLY),
    row("unclaim with GET", "GET", _task("unclaim", "held_task"), GET_ON_POST_ONLY),
    row("reassign with GET", "GET", _task("reassign", "held_task"), GET_ON_POST_ONLY),
    # --- process diagrams -------------------------------------------------------------------------------------------
    #                                                            anon   cit  other clerk fire  sup   aud   min   supp  admin
    row("process diagrams", "GET", lambda w: reverse("workflows:flows"), DIAGRAMS),
    row("process diagram", "GET", _diagram(), DIAGRAMS),
    row("process diagram, BPMN XML", "GET", lambda w: reverse("workflows:flow_bpmn", args=[PERMIT_FLOW]), DIAGRAMS),
    row("process diagram, unknown flow", "GET", lambda w: reverse("workflows:flow", args=["eservices.NoSuchFlow"]),
        (LOGIN, 403, 403, 404, 404, 404, 404, 404, 404, 404)),
    row("process diagram of a case in review", "GET", _diagram("reviewing"),
        (LOGIN, 403, 403, 200, 200, 200, 200, 404, 404, 200)),
    row("process diagram of a case at completeness check", "GET", _diagram("checking"),
        (LOGIN, 403, 403, 200, 404, 200, 200, 404, 404, 200)),
    row("process diagram of a case in correction", "GET", _diagram("correcting"),
        (LOGIN, 403, 403, 200, 404, 200, 200, 404, 404, 200)),
    row("process diagram, no such case", "GET", lambda w: reverse("workflows:flow", args=[PERMIT_FLOW])
        + f"?process={w.missing_pk}", (LOGIN, 403, 403, 404, 404, 404, 404, 404, 404, 404)),
    # --- process analytics ------------------------------------------------------------------------------------------
    #                                                            anon   cit  other clerk fire  sup   aud   min   supp  admin
    row("process analytics", "GET", lambda w: reverse("workflows:analytics"), ANALYTICS),
    row("process analytics, CSV", "GET", lambda w: reverse("workflows:analytics_csv"), ANALYTICS),
    row("process analytics, bad month", "GET", lambda w: reverse("workflows:analytics") + "?from_month=2026-13",
        (LOGIN, 403, 403, 403, 403, 400, 400, 403, 403, 400)),
    row("process analytics CSV, bad month", "GET", lambda w: reverse("workflows:analytics_csv") + "?to_month=x",
        (LOGIN, 403, 403, 403, 403, 400, 400, 403, 403, 400)),
    # --- audit ------------------------------------------------------------------------------------------------------
    row("audit search", "GET", lambda w: reverse("audit:search"), AUDIT_ONLY),
    row("audit search with a query", "GET", lambda w: reverse("audit:search") + "?q=BP-", AUDIT_ONLY),
    row("audit trail of a case", "GET", lambda w: reverse("audit:trail", args=[trail_key_for(w.reviewing)]),
        AUDIT_ONLY),
    row("audit trail, unknown key", "GET", lambda w: reverse("audit:trail", args=["eservices.application:0"]),
        (LOGIN, 403, 403, 403, 403, 403, 404, 403, 403, 404)),
    row("legal-hold desk", "GET", lambda w: reverse("holds:list"), AUDIT_ONLY),
    # --- REST API ---------------------------------------------------------------------------------------------------
    row("API: catalog", "GET", _fixed("/api/v1/services/"), ALL_200),
    row("API: one service", "GET", _fixed("/api/v1/services/building-permit/"), ALL_200),
    row("API: unknown service", "GET", _fixed("/api/v1/services/no-such-service/"), ALL_404),
    row("API: my applications", "GET", _fixed("/api/v1/applications/"), API_LOGGED_IN),
    row("API: own case", "GET", _api_app("reviewing"), (403, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    row("API: own draft", "GET", _api_app("draft"), (403, 200, 404, 404, 404, 404, 404, 404, 404, 404)),
    row("API: no such pk", "GET", lambda w: f"/api/v1/applications/{w.missing_pk}/", (403,) + (404,) * 9),
    row("API: schema", "GET", lambda w: reverse("api-schema"), ALL_200),
    row("API: docs", "GET", lambda w: reverse("api-docs"), ALL_200),
    row("API: start an upload", "POST", _fixed("/api/v1/uploads/"), (403,) + (201,) * 9,
        data=lambda w: {"name": "plan.pdf", "size": 100}),
    row("API: own upload", "GET", _upload, (403, 200, 404, 404, 404, 404, 404, 404, 404, 404), needs=("upload",)),
    row("API: next chunk of own upload", "PUT", _upload, (403, 200, 404, 404, 404, 404, 404, 404, 404, 404),
        data=lambda w: {"body": b"%PDF-", "headers": {"Content-Range": "bytes 0-4/100"}}, needs=("upload",)),
    row("API: cancel own upload", "DELETE", _upload, (403, 204, 404, 404, 404, 404, 404, 404, 404, 404),
        needs=("upload",)),
    row("API: no such upload", "GET", _fixed("/api/v1/uploads/0b7c2c8e-8a52-4d8e-9d43-3f1c3b0e6a11/"),
        (403,) + (404,) * 9),
    # --- Django admin -----------------------------------------------------------------------------------------------
    row("admin index", "GET", _fixed("/admin/"), (ADMIN_LOGIN,) * 9 + (200,)),
    row("admin: applications", "GET", _fixed("/admin/eservices/application/"), (ADMIN_LOGIN,) * 9 + (200,)),
    row("admin: issued documents", "GET", _fixed("/admin/documents/issueddocument/"), (ADMIN_LOGIN,) * 9 + (200,)),
    row("admin: outbox", "GET", _fixed("/admin/core/outboxmessage/"), (ADMIN_LOGIN,) * 9 + (200,)),
]


@pytest.fixture
def world(people):
    """The citizen's cases in every state, a neighbour's case, and the tasks the rows act on."""
    citizen = people.citizen
    w = SimpleNamespace(
        draft=cases.draft(citizen),
        checking=cases.submitted(citizen),
        held=cases.submitted(citizen),
        reviewing=cases.in_review(citizen, people.clerk),
        correcting=cases.in_correction(citizen, people.clerk),
        neighbours=cases.submitted(people.other_citizen),
        clerk2=people.clerk2,
        missing_pk=999_999,
    )
    w.held_task = cases.claimed(w.held, "check_completeness", people.clerk)
    w.arch_task = cases.open_task(w.reviewing, "review_architecture")
    w.fire_task = cases.open_task(w.reviewing, "review_fire_safety")
    w.correction_task = cases.open_task(w.correcting, "correction")
    return w


@pytest.fixture
def upload(people):
    """The citizen's upload session: a 100-byte file, nothing received yet."""
    return upload_session_start(actor=people.citizen, name="plan.pdf", size=100)


@pytest.fixture
def previewed(world):
    """The case in review, its attachments' previews made."""
    for version in cases.versions_of(world.reviewing):
        DocumentPreview.objects.create(version=version)
        preview_make(version)
    return world.reviewing


@pytest.fixture
def decided(people):
    return cases.approved(people.citizen, people)


@pytest.fixture
def decision_task(people):
    """All three reviews are in: the decision waits in the supervisors' queue."""
    application = cases.reviewed(people.citizen, people)
    return cases.open_task(application, "decision")


def outcome(response):
    """The status as the table writes it: redirects say where they lead."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("accounts:login")):
        return LOGIN
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    return ELSEWHERE


def request_as(client, people, role, method, path, data=None):
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(people, role))
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif method == "POST":
            response = client.post(path, data or {})
        else:  # PUT, DELETE: a raw body and headers
            data = data or {}
            response = client.generic(method, path, data.get("body", b""), content_type="application/octet-stream",
                                      headers=data.get("headers"))
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end, so the file is closed
        transaction.set_rollback(True)  # the next person meets the same data
    return response


@pytest.mark.parametrize("spec", TABLE)
def test_every_role_gets_the_designed_status(spec, client, people, world, request):
    for name in spec.needs:
        setattr(world, name, request.getfixturevalue(name))
    path = spec.url(world)
    data = spec.data(world) if spec.data else None
    got = {role: outcome(request_as(client, people, role, spec.method, path, data)) for role in ROLES}
    wrong = {role: f"expected {spec.expected[role]}, got {got[role]}" for role in ROLES if got[role] != spec.expected[role]}
    assert not wrong, f"{spec.method} {path}: {wrong}"


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


def test_a_citizen_cannot_read_another_citizens_case_or_document_by_guessing_ids(client, people, world, decided):
    """Bekzod walks every id around Aziza's cases and documents, over HTML and
    the API: everything that is not his is 404, and nothing of hers leaks
    into his lists."""
    hers = [world.draft, world.checking, world.held, world.reviewing, world.correcting, decided]
    mine = world.neighbours
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
    world.draft.refresh_from_db()
    assert world.draft.status == "draft"
