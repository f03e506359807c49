"""Your account: a person's own details, the language of their e-mails and letters, and which e-mails they want."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from accounts.services import user_profile_update
from core.errors import PermissionDenied
from core.models import AuditEvent, OutboxMessage
from core.outbox import outbox_deliver_due
from documents.blobs import blob_read
from eservices.selectors import decision_letter_of
from permits import services as permits
from workflows.timers import run_due_timers

from . import cases

PROFILE = reverse("accounts:profile")


def _form(user, **changes):
    """What the page sends back when ``user`` changes only ``changes``."""
    return {"full_name": user.full_name, "phone": user.phone, "preferred_language": user.preferred_language,
            "notifications": "all" if user.optional_notifications else "required", **changes}


def _profile_events(user):
    return list(AuditEvent.objects.filter(action="accounts.user.profile_update", object_id=str(user.pk)))


def _letter_text(application):
    version = decision_letter_of(application).version
    pdf = blob_read(version.blob_key, sha256=version.sha256, size=version.size)
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _mails_to(user):
    return list(OutboxMessage.objects.filter(recipient=user).order_by("pk"))


# --- the page ----------------------------------------------------------------------------------------

def test_anyone_signed_in_reaches_their_account_from_the_header_and_sees_their_details(client, people):
    people.citizen.phone = "+998 90 123 45 67"
    people.citizen.save(update_fields=["phone"])
    client.force_login(people.citizen)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{PROFILE}">Your account</a>' in home

    page = client.get(PROFILE).content.decode()
    assert "<title>Your account – " in page
    assert 'value="Aziza Citizen"' in page and 'value="+998 90 123 45 67"' in page
    assert people.citizen.email in page and "contact the municipality" in page  # how to change the sign-in address
    assert 'value="en" checked' in page and "Русский" in page  # each language in its own name
    assert 'value="all" checked' in page
    assert "we always e-mail you what you must know" in page and "the decision" in page
    assert "Text messages (SMS)" in page and "Not available yet" in page

    client.force_login(people.clerk)  # staff have an account page too
    assert 'value="Dilnoza Clerk"' in client.get(PROFILE).content.decode()


def test_the_anonymous_are_sent_to_sign_in(client, db):
    for response in (client.get(PROFILE), client.post(PROFILE, {"full_name": "Someone"})):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_person_saves_their_details_and_the_change_is_audited_field_by_field(client, people):
    citizen = people.citizen
    client.force_login(citizen)
    response = client.post(PROFILE, _form(citizen, full_name="Aziza O'g'li Karimova", phone="+998 (90) 123-45-67",
                                          notifications="required"), follow=True)
    assert response.redirect_chain == [(PROFILE, 302)]
    page = response.content.decode()
    assert "govuk-notification-banner--success" in page and "Your changes have been saved." in page
    assert 'value="required" checked' in page

    citizen.refresh_from_db()
    assert (citizen.full_name, citizen.phone, citizen.optional_notifications) == (
        "Aziza O'g'li Karimova", "+998 (90) 123-45-67", False)
    [event] = _profile_events(citizen)
    assert event.actor_id == citizen.pk
    assert event.before == {"full_name": "Aziza Citizen", "phone": "", "optional_notifications": True}
    assert event.after == {"full_name": "Aziza O'g'li Karimova", "phone": "+998 (90) 123-45-67",
                           "optional_notifications": False}  # the language did not change, so it is not there

    # sending the same again changes nothing and records nothing
    response = client.post(PROFILE, _form(citizen), follow=True)
    assert "You did not change anything." in response.content.decode()
    assert len(_profile_events(citizen)) == 1


def test_an_empty_name_or_a_bad_phone_number_is_sent_back_with_the_error_summary_and_nothing_saved(client, people):
    citizen = people.citizen
    client.force_login(citizen)
    response = client.post(PROFILE, _form(citizen, full_name="   ", phone="call me maybe"))
    assert response.status_code == 400  # as every form of the site answers a post it refuses
    page = response.content.decode()
    assert "<title>Error: Your account – " in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_full_name">Enter your full name.</a>' in page
    assert '<a href="#id_phone">Enter a phone number of 7 to 15 digits, like +998 90 123 45 67.' in page
    assert "govuk-input--error" in page and 'value="call me maybe"' in page  # what was typed stays to be corrected
    citizen.refresh_from_db()
    assert citizen.full_name == "Aziza Citizen" and citizen.phone == ""
    assert not _profile_events(citizen)

    response = client.post(PROFILE, _form(citizen, preferred_language="xx", notifications="some"))
    assert response.status_code == 400
    page = response.content.decode()
    assert '<a href="#id_preferred_language_0">' in page and '<a href="#id_notifications_0">' in page


def test_only_the_person_themselves_changes_their_profile(client, people):
    """The page has no one's id in its address: a post changes the sender's own profile, never another's. The
    service says no to anyone else (an administrator uses the admin site)."""
    client.force_login(people.other_citizen)
    client.post(PROFILE, _form(people.other_citizen, full_name="Not Aziza"))
    people.citizen.refresh_from_db()
    people.other_citizen.refresh_from_db()
    assert people.citizen.full_name == "Aziza Citizen" and people.other_citizen.full_name == "Not Aziza"

    for actor in (people.other_citizen, people.admin, None):
        with pytest.raises(PermissionDenied):
            user_profile_update(actor=actor, user=people.citizen, full_name="Someone Else")
    people.citizen.refresh_from_db()
    assert people.citizen.full_name == "Aziza Citizen" and not _profile_events(people.citizen)


# --- the language of e-mails and letters ---------------------------------------------------------------

def test_the_language_chosen_on_the_profile_is_used_for_the_next_e_mail_and_the_decision_letter(client, people):
    citizen = people.citizen
    application = cases.reviewed(citizen, people)  # applied in English; the decision waits
    assert {m.language for m in _mails_to(citizen)} == {"en"}
    mail_before = len(_mails_to(citizen))

    client.force_login(citizen)
    response = client.post(PROFILE, _form(citizen, preferred_language="ru"), follow=True)
    assert "Ваши изменения сохранены." in response.content.decode()  # the pages follow it too (no language chosen here)
    [event] = _profile_events(citizen)
    assert event.before == {"preferred_language": "en"} and event.after == {"preferred_language": "ru"}

    permits.permit_decide(task=cases.claimed(application, "decision", people.supervisor), actor=people.supervisor,
                          data={"approve": True, "reasons": ""})

    [decided] = _mails_to(citizen)[mail_before:]
    assert decided.language == "ru"
    assert decided.subject == f"Заявление {application.reference}: принято решение"
    assert "Здравствуйте" in decided.body and "Hello" not in decided.body
    outbox_deliver_due()
    [sent] = [m for m in mail.outbox if m.to == [citizen.email] and m.subject == decided.subject]
    assert sent.subject == decided.subject and sent.extra_headers["Content-Language"] == "ru"

    letter = _letter_text(application)
    assert "Разрешение на строительство" in letter and "Building permit" not in letter


def test_the_language_links_change_the_pages_on_this_device_not_the_language_of_e_mails_and_letters(client, people):
    """Reading the site in another language is not a request to be written to in it: a letter is a legal
    document, and a relative helping on the same device should not change it. The profile says which is which."""
    citizen = people.citizen
    client.force_login(citizen)
    response = client.get(reverse("language", args=["ru"]) + f"?next={PROFILE}", follow=True)
    page = response.content.decode()
    assert '<html lang="ru"' in page
    assert "Язык этих страниц: <strong>Русский</strong>." in page
    assert "Язык ваших писем и документов: <strong>Английский</strong>." in page
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en" and not _profile_events(citizen)

    # choosing Russian on the profile as well: the note goes, nothing is left to explain
    client.post(PROFILE, _form(citizen, preferred_language="ru"))
    assert 'id="languages"' not in client.get(PROFILE).content.decode()


# --- which e-mails go out ------------------------------------------------------------------------------

def test_someone_who_wants_only_required_e_mails_gets_no_progress_news_but_still_the_correction_request(client,
                                                                                                       people):
    citizen, other = people.citizen, people.other_citizen
    client.force_login(citizen)
    client.post(PROFILE, _form(citizen, notifications="required"))

    for applicant in (citizen, other):
        cases.in_review(applicant, people.clerk)  # complete: news that it went to review (optional)
        cases.in_correction(applicant, people.clerk)  # a correction asked: they must know
    subjects = [m.subject for m in _mails_to(citizen)]
    assert not any("under technical review" in s for s in subjects)
    assert sum("correction requested" in s for s in subjects) == 1
    assert sum("received" in s for s in subjects) == 2  # the receipt of each application still goes
    other_subjects = [m.subject for m in _mails_to(other)]
    assert sum("under technical review" in s for s in other_subjects) == 1  # who kept them gets the news


TASHKENT = ZoneInfo("Asia/Tashkent")


def test_staff_who_want_only_required_e_mails_get_no_reminders_but_still_hear_of_overdue_work(client, people,
                                                                                               permit_service):
    client.force_login(people.clerk2)
    client.post(PROFILE, _form(people.clerk2, notifications="required"))
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, tzinfo=TASHKENT), tick=False) as traveller:
        application = cases.submitted(people.citizen)
        cases.claimed(application, "check_completeness", people.clerk2)
        traveller.move_to(datetime.datetime(2026, 12, 8, 9, 30, tzinfo=TASHKENT))
        assert run_due_timers().reminded == 1
        assert not _mails_to(people.clerk2)  # due soon: a reminder, which they turned off
        traveller.move_to(datetime.datetime(2026, 12, 9, 9, 1, tzinfo=TASHKENT))
        assert run_due_timers().escalated == {"notify": 1}
    [overdue] = _mails_to(people.supervisor)
    assert overdue.subject == f"Overdue: “{application.reference} — Completeness check”"

    people.clerk2.optional_notifications = True  # the same reminder reaches someone who kept them
    people.clerk2.save(update_fields=["optional_notifications"])
    with time_machine.travel(datetime.datetime(2026, 12, 14, 9, tzinfo=TASHKENT), tick=False) as traveller:
        second = cases.submitted(people.other_citizen)
        cases.claimed(second, "check_completeness", people.clerk2)
        traveller.move_to(datetime.datetime(2026, 12, 15, 9, 30, tzinfo=TASHKENT))
        assert run_due_timers().reminded == 1
    assert [m.subject for m in _mails_to(people.clerk2)] == [f"Reminder: “{second.reference} — Completeness check” is due soon"]
