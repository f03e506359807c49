"""Sharing one case with a named person (django-guardian per-object grants, accounts.sharing):
the head of the case's department (or an administrator) shares it from the case page and takes
it back; exactly that person gets in, drafts stay private, everyone else still gets 404, and both
acts are audited on the case's trail."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import permissions
from accounts.selectors import users_granted
from accounts.services import access_grant, access_revoke
from core.audit import trail_key_for
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.models import AuditEvent
from core.outbox import outbox_deliver_due
from eservices.models import Application

from . import cases

REASON = "Second opinion on the structural plans."


def _case_page(case):
    return reverse("eservices:application", args=[case.pk])


def _share_url(case):
    return reverse("accounts:share", args=["eservices.application", case.pk])


def _unshare_url(case):
    return reverse("accounts:unshare", args=["eservices.application", case.pk])


def _status(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


def _grant_events(case):
    return AuditEvent.objects.for_trail(trail_key_for(case)).filter(action__startswith="accounts.grant.")


@pytest.mark.parametrize("grantee", ["other_citizen", "fire"])
def test_a_grant_lets_exactly_the_named_person_in_and_its_revocation_takes_them_out(
        client, people, grantee, django_capture_on_commit_callbacks):
    case = cases.submitted(people.citizen)  # the architecture department's
    person = getattr(people, grantee)
    third = people.environment if grantee == "fire" else people.fire
    document = reverse("eservices:document", args=[case.pk, cases.versions_of(case).first().pk])
    for outsider in (person, third, people.ministry):
        assert _status(client, outsider, _case_page(case)) == 404

    client.force_login(people.supervisor)
    assert "Not shared with anyone by name." in client.get(_case_page(case)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_share_url(case), {"email": person.email.upper(), "reason": REASON})
    assert response.status_code == 302 and response["Location"] == _case_page(case)
    page = client.get(_case_page(case)).content.decode()
    assert f"{person.full_name} &lt;{person.email}&gt;" in page and REASON in page

    assert _status(client, person, _case_page(case)) == 200
    assert _status(client, person, document) == 200
    for outsider in (third, people.ministry, people.supplier):
        assert _status(client, outsider, _case_page(case)) == 404
        assert _status(client, outsider, document) == 404
    outbox_deliver_due()  # the sender (run_timers, or a worker) delivers what the grant put in the outbox
    [message] = [m for m in mail.outbox if m.to == [person.email]]
    assert str(case) in message.subject and _case_page(case) in message.body

    [granted] = _grant_events(case)
    assert (granted.action, granted.actor, granted.object_type, granted.object_id) == (
        "accounts.grant.add", people.supervisor, "accounts.user", str(person.pk))
    state = {"user": person.pk, "email": person.email, "permission": "eservices.view_application"}
    assert granted.before == {**state, "granted": False}
    assert granted.after == {**state, "granted": True, "reason": REASON}

    client.force_login(people.supervisor)
    response = client.post(_unshare_url(case), {"user": person.pk, "reason": "Opinion received."})
    assert response.status_code == 302 and response["Location"] == _case_page(case)
    assert _status(client, person, _case_page(case)) == 404
    assert _status(client, person, document) == 404
    revoked = _grant_events(case).get(action="accounts.grant.revoke")
    assert (revoked.actor, revoked.object_id) == (people.supervisor, str(person.pk))
    assert revoked.before == {**state, "granted": True}
    assert revoked.after == {**state, "granted": False, "reason": "Opinion received."}
    assert list(users_granted(case)) == []


def test_a_non_head_gets_403_trying_to_share_and_sees_no_sharing_panel(client, people):
    case = cases.submitted(people.citizen)
    access_grant(actor=people.supervisor, user=people.fire, obj=case, reason=REASON)
    before = _grant_events(case).count()
    # Those who see the case but don't head its department: refused.
    for user in (people.clerk, people.citizen, people.auditor):
        client.force_login(user)
        assert "Shared by name" not in client.get(_case_page(case)).content.decode()
        assert client.post(_share_url(case), {"email": people.other_citizen.email, "reason": REASON}).status_code == 403
        assert client.post(_unshare_url(case), {"user": people.fire.pk, "reason": "x"}).status_code == 403
    # The person it is shared with may see it, not share it further.
    client.force_login(people.fire)
    assert client.post(_share_url(case), {"email": people.other_citizen.email, "reason": REASON}).status_code == 403
    # Those who don't see it at all: not found, as everywhere.
    for user in (people.other_citizen, people.environment, people.supplier):
        client.force_login(user)
        assert client.post(_share_url(case), {"email": user.email, "reason": REASON}).status_code == 404
    assert _grant_events(case).count() == before
    assert list(users_granted(case)) == [people.fire]
    with pytest.raises(PermissionDenied):
        access_grant(actor=people.clerk, user=people.other_citizen, obj=case, reason=REASON)
    with pytest.raises(PermissionDenied):
        access_revoke(actor=people.clerk, user=people.fire, obj=case, reason=REASON)


def test_sharing_is_post_only_and_checks_the_csrf_token(people):
    case = cases.submitted(people.citizen)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people.supervisor)
    assert browser.get(_share_url(case)).status_code == 405
    assert browser.get(_unshare_url(case)).status_code == 405
    assert browser.post(_share_url(case), {"email": people.other_citizen.email, "reason": REASON}).status_code == 403
    assert list(users_granted(case)) == []


def test_a_draft_stays_private_and_cannot_be_shared(client, people):
    draft = cases.draft(people.citizen)
    client.force_login(people.admin)  # a draft is its applicant's alone, administrators included
    response = client.post(_share_url(draft), {"email": people.other_citizen.email, "reason": REASON})
    assert response.status_code == 404
    assert _status(client, people.other_citizen, _case_page(draft)) == 404
    assert not Application.objects.filter(pk__in=permissions.granted_ids(people.other_citizen, Application)).exists()
    assert not _grant_events(draft).exists()


def test_mistakes_in_the_sharing_form_are_explained(client, people):
    case = cases.submitted(people.citizen)
    client.force_login(people.supervisor)
    response = client.post(_share_url(case), {"email": "nobody@example.org", "reason": REASON})
    assert response.status_code == 400
    assert "No active account signs in with this e-mail address." in response.content.decode()
    response = client.post(_share_url(case), {"email": people.fire.email, "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()

    client.post(_share_url(case), {"email": people.fire.email, "reason": REASON})
    response = client.post(_share_url(case), {"email": people.fire.email, "reason": REASON})
    assert response.status_code == 400
    assert f"{people.fire.full_name} already has access." in response.content.decode()
    response = client.post(_unshare_url(case), {"user": people.fire.pk, "reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert _grant_events(case).count() == 1

    with pytest.raises(InvalidTransition):
        access_revoke(actor=people.supervisor, user=people.environment, obj=case, reason="Never had it.")
    with pytest.raises(ValidationFailed):
        access_grant(actor=people.supervisor, user=people.environment, obj=case, reason="  ")


def test_the_grant_helpers_name_exactly_what_was_shared(people):
    shared, other = cases.submitted(people.citizen), cases.submitted(people.citizen)
    access_grant(actor=people.admin, user=people.other_citizen, obj=shared, reason=REASON)
    assert permissions.has_object_grant(people.other_citizen, "view", shared)
    assert permissions.has_object_grant(people.other_citizen, "eservices.view_application", shared)
    assert not permissions.has_object_grant(people.other_citizen, "view", other)
    assert not permissions.has_object_grant(people.other_citizen, "change", shared)
    assert not permissions.has_object_grant(people.fire, "view", shared)
    assert list(Application.objects.filter(pk__in=permissions.granted_ids(people.other_citizen, Application))) == [shared]
    assert list(users_granted(shared)) == [people.other_citizen] and list(users_granted(other)) == []
    # Guardian's backend answers Django's own question the same way.
    assert people.other_citizen.has_perm("eservices.view_application", shared)
    assert not people.other_citizen.has_perm("eservices.view_application", other)
