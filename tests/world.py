"""One world every permission test asks its questions in, and how it asks them.

``build_world(people)`` makes, through the services, the citizen's and the other citizen's cases in every state
a route serves, tasks waiting in and held by two departments, previews, upload sessions, substitutes, an
incident and a row of every model the admin shows; then each installed app with a ``route_world`` module adds
its own objects (``route_world.populate(w, people)``), and says how its routes' arguments are built from them
(``route_world.ARGUMENTS``), so a new e-service joins the matrix from its own folder. ``Visitors`` sends each
request as one person of
``core.route_access.ROLES`` inside a savepoint that is rolled back, so every person meets the same world;
``outcome`` writes the answer as the policies do.
"""

import copy
from contextlib import contextmanager
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.module_loading import module_has_submodule
from viewflow.workflow.models import Task

from accounts.services import access_grant
from accounts.tokens import email_verification_token
from core.api_clients import api_client_register
from core.route_access import ADMIN_LOGIN, LOGIN, PAGE, ROLES
from documents import issuing
from documents.models import DisposalRun, DocumentClass
from documents.previews import DocumentPreview, preview_make
from documents.resumable import upload_session_start
from documents.retention import legal_hold_place
from documents.sweeper import SweptBlob
from permits import services as permits
from workflows.delegations import delegation_create
from workflows.models import Holiday

from . import cases
from .factories import UserFactory

#: the person of the ``people`` fixture who plays each role of ``core.route_access.ROLES``
PERSON = {"other_clerk": "fire"}


def person(people, role):
    return None if role == "anonymous" else getattr(people, PERSON.get(role, role))


def build_world(people):
    citizen, neighbour, clerk, fire = people.citizen, people.other_citizen, people.clerk, people.fire
    w = SimpleNamespace(clerk2=people.clerk2, environment=people.environment, missing_pk=999_999)
    # drafts, cases at the completeness check (the architecture department's), corrections, decisions
    w.draft, w.neighbours_draft = cases.draft(citizen), cases.draft(neighbour)
    w.checking, w.neighbours = cases.submitted(citizen), cases.submitted(neighbour)
    w.correcting, w.neighbours_correcting = cases.in_correction(citizen, clerk), cases.in_correction(neighbour, clerk)
    w.correction_task = cases.open_task(w.correcting, "correction")
    w.decided, w.neighbours_decided = cases.approved(citizen, people), cases.approved(neighbour, people)
    # tasks: waiting in, and held in, the architecture and the fire-safety departments
    w.held = cases.submitted(citizen)
    w.held_task = cases.claimed(w.held, "check_completeness", clerk)
    w.reviewing = cases.in_review(citizen, clerk)
    w.arch_task = cases.open_task(w.reviewing, "review_architecture")
    w.fire_task = cases.open_task(w.reviewing, "review_fire_safety")
    w.fire_held_task = cases.claimed(cases.in_review(neighbour, clerk), "review_fire_safety", fire)
    w.decision_task = cases.open_task(cases.reviewed(citizen, people), "decision")
    w.incident = _incident(cases.reviewed(neighbour, people), people.supervisor)
    # first-page previews of each citizen's first attachment
    w.attachment = cases.versions_of(w.checking).first()
    w.neighbours_attachment = cases.versions_of(w.neighbours).first()
    for version in (w.attachment, w.neighbours_attachment):
        with_preview(version)
    w.upload = upload_session_start(actor=citizen, name="plan.pdf", size=100)
    w.neighbours_upload = upload_session_start(actor=neighbour, name="plan.pdf", size=100)
    today = timezone.localdate()
    w.delegation = delegation_create(actor=clerk, substitute=people.clerk2, starts_on=today, ends_on=today)
    w.colleagues_delegation = delegation_create(actor=people.clerk2, substitute=clerk, starts_on=today + timedelta(1),
                                                ends_on=today + timedelta(2))
    # the links e-mailed to someone who just signed up (and never signs in here, which would spend them)
    w.newcomer = newcomer = UserFactory(full_name="Nilufar Newcomer", email_verified=False)
    uid = urlsafe_base64_encode(force_bytes(newcomer.pk))
    w.verify_link = {"uidb64": uid, "token": email_verification_token.make_token(newcomer)}
    w.reset_link = {"uidb64": uid, "token": default_token_generator.make_token(newcomer)}
    # a row of each model the admin shows that the cases leave empty
    Group.objects.create(name="Reviewers")
    AccessAttempt.objects.create(username=citizen.email, ip_address="192.0.2.1", failures_since_start=1)
    AccessLog.objects.create(username=citizen.email, ip_address="192.0.2.1")
    AccessFailureLog.objects.create(username=citizen.email, ip_address="192.0.2.1")
    Holiday.objects.create(organisation=people.clerk.memberships.get().organisation, date=today.replace(month=1, day=1),
                           name="New Year")
    w.hold = legal_hold_place(actor=people.auditor, reason="A court asked for the file.", case=w.decided)
    # both citizens' cases shared by name with the newcomer, who reads them for an inquiry
    for case in (w.checking, w.neighbours):
        access_grant(actor=people.supervisor, user=newcomer, obj=case, reason="A housing inquiry.")
    DisposalRun.objects.create(due_by=today, proposed_by=people.admin)
    api_client_register(name="Open311 app", actor=people.admin)
    SweptBlob.objects.create(key="documents/orphan.pdf", size=5, reason=SweptBlob.Reason.ORPHAN,
                             modified_at=timezone.now() - timedelta(days=2))
    DocumentClass.objects.order_by("pk").first().save()  # edited once in the admin: a recorded version
    for module in app_route_worlds():
        module.populate(w, people)
    return w


def app_route_worlds():
    """The ``route_world`` modules of the installed apps, in INSTALLED_APPS order."""
    return [import_module(f"{config.name}.route_world") for config in apps.get_app_configs()
            if module_has_submodule(config.module, "route_world")]


def with_preview(version):
    """Make the first-page preview of ``version`` now, as the background would."""
    DocumentPreview.objects.create(version=version)
    preview_make(version)
    return version


def _incident(application, supervisor):
    """The letter step of an approved case failed (its PDF renderer was down): an incident."""
    with _renderer_down():
        permits.permit_decide(task=cases.claimed(application, "decision", supervisor), actor=supervisor,
                              data={"approve": True, "reasons": ""})
    return Task.objects.get(process_id=application.process_id, status="ERROR")


@contextmanager
def _renderer_down():
    def crash(*args, **kwargs):
        raise RuntimeError("PDF renderer unavailable")

    working, issuing.html_to_pdf = issuing.html_to_pdf, crash
    try:
        yield
    finally:
        issuing.html_to_pdf = working


def outcome(response):
    """The status as the policies write it: a redirect says where it leads."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("accounts:login")):
        return LOGIN
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    return PAGE


class Visitors:
    """One browser per person of ``ROLES``, signed in once; ``ask`` sends one request as one of them inside a
    savepoint that is rolled back, and puts the browser's cookies back after it, so every request meets the same
    world and the same signed-in person (a log-out or a language switch included); rate limits start afresh."""

    def __init__(self, people, *, raise_request_exception=True):
        self.people = people
        self.browsers = {}
        for role in ROLES:
            browser = Client(raise_request_exception=raise_request_exception)
            if role != "anonymous":
                browser.force_login(person(people, role))
            self.browsers[role] = browser

    def ask(self, role, method, path, data=None):
        browser = self.browsers[role]
        cookies = copy.deepcopy(browser.cookies)
        cache.clear()
        try:
            with transaction.atomic():
                response = _send(browser, method, path, data)
                if response.streaming:
                    b"".join(response.streaming_content)  # read to the end, so the file is closed
                transaction.set_rollback(True)
        finally:
            browser.cookies = cookies
        return response


def _send(browser, method, path, data):
    if method == "GET":
        return browser.get(path)
    if method == "POST":
        return browser.post(path, data or {})
    data = data or {}  # PUT, DELETE: a raw body and headers
    return browser.generic(method, path, data.get("body", b""), content_type="application/octet-stream",
                           headers=data.get("headers"))
