"""Problem reports by e-mail: the reports' mailbox read over IMAP by the timers (a small IMAP server on loopback
plays the city's mail server) and a mail provider's signed webhook. A message becomes a moderated report and its
sender gets the reference by e-mail, with a Reply-To and a Message-ID naming it; a reply from the reporter joins
the report; the same reply from a stranger opens a new one; every message counts once."""

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import AuditEvent, OutboxMessage
from core.outbox import outbox_deliver_due
from core.webhooks import SIGNATURE_HEADER, sign_body
from reports.inbound.mail import without_quotes
from reports.models import InboundMessage, Report
from reports.route_world import PNG
from tests.smtp import free_port
from workflows.timers import run_due_timers

from .helpers import actions, file_report
from .imap_server import ImapServer
from .inbound import MAIL_SECRET, submitted

S = Report.Status
SEEN, FLAGGED = r"\Seen", r"\Flagged"


def mail(*, sender="Dilya Karimova <dilya@example.org>", subject="No water on Rudaki 12", body="No water.",
         message_id=None, to="reports@city.example", headers=(), images=()):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or make_msgid(domain="example.org")
    for name, value in headers:
        message[name] = value
    message.set_content(body)
    for name, content in images:
        message.add_attachment(content, maintype="image", subtype="png", filename=name)
    return message.as_bytes()


@pytest.fixture
def mailbox(settings):
    with ImapServer() as server:
        settings.MUNIS_REPORTS_IMAP_HOST, settings.MUNIS_REPORTS_IMAP_PORT = "127.0.0.1", server.port
        settings.MUNIS_REPORTS_IMAP_SSL = False
        settings.MUNIS_REPORTS_IMAP_USER = server.mailbox.user
        settings.MUNIS_REPORTS_IMAP_PASSWORD = server.mailbox.password
        settings.MUNIS_REPORTS_REPLY_TO = "reports+{reference}@city.example"
        yield server.mailbox


@pytest.fixture
def provider(settings):
    settings.MUNIS_REPORTS_MAIL_WEBHOOK_SECRET = MAIL_SECRET


def post_mail(client, raw, *, secret=MAIL_SECRET, how="raw"):
    if how == "raw":
        body, content_type = raw, "message/rfc822"
    elif how == "form":
        body, content_type = urlencode({"email": raw}).encode(), "application/x-www-form-urlencoded"
    else:  # a multipart form with the message as a field, as some providers post it
        boundary = "----munis-test-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"sender\"\r\n\r\nx@example.org\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n").encode() + raw + (
                f"\r\n--{boundary}--\r\n").encode()
        content_type = f"multipart/form-data; boundary={boundary}"
    headers = {SIGNATURE_HEADER: sign_body(body, secret)} if secret else {}
    return client.post("/email/inbound/", body, content_type=content_type, headers=headers)


SIGNED_OFF = """Hello,

There has been no water in our building since Monday morning.
The neighbours on the fourth floor have none either.

Sent from my iPhone

--
Dilya Karimova
+998 90 123 45 67
"""


def test_the_timers_file_each_unseen_message_of_the_mailbox_as_a_moderated_report(city, mailbox, smtp_sink):
    mailbox.deliver(mail(body=SIGNED_OFF, message_id="<first@example.org>"))
    mailbox.deliver(mail(subject="Read long ago", message_id="<old@example.org>"))
    mailbox.folders["INBOX"][1].flags.add(SEEN)

    run_due_timers()

    report = Report.objects.get()
    assert report.channel == Report.Channel.EMAIL and report.external_id == "first@example.org"
    assert report.description == ("No water on Rudaki 12\n\nHello,\n\nThere has been no water in our building since "
                                  "Monday morning.\nThe neighbours on the fourth floor have none either.")
    assert report.contact_email == "dilya@example.org" and report.contact_name == "Dilya Karimova"
    assert report.status == S.MODERATION and not report.is_public and report.reporter is None
    assert report.suggested_category == city.water  # the moderator finds the classifier's suggestion pre-selected
    assert submitted(report).after["channel"] == "email"
    assert mailbox.flags() == [{SEEN}, {SEEN}]

    outbox_deliver_due()  # the "received" notice, as the next timers run sends it
    [notice] = smtp_sink.messages
    assert notice["To"] == "dilya@example.org" and report.reference in notice["Subject"]
    assert notice["Reply-To"] == f"reports+{report.reference}@city.example"
    assert report.reference in notice["Message-ID"]

    run_due_timers()  # nothing new: nothing more
    assert Report.objects.count() == 1


def test_a_reply_from_the_reporter_joins_the_report_and_the_same_from_a_stranger_opens_a_new_one(
        client, city, mailbox, smtp_sink):
    mailbox.deliver(mail(body="No water since Monday."))
    run_due_timers()
    report = Report.objects.get()
    outbox_deliver_due()
    [notice] = smtp_sink.messages
    quoted = f"\n\nOn {notice['Date']} Munis wrote:\n> Thank you. Your report has the reference number {report.reference}."

    def reply(sender, text):
        return mail(sender=sender, to=notice["Reply-To"], subject=f"Re: {notice['Subject']}", body=text + quoted,
                    headers=[("In-Reply-To", notice["Message-ID"]), ("References", notice["Message-ID"])])

    mailbox.deliver(reply("Dilya Karimova <DILYA@example.org>", "Now the pipe in the yard leaks too."))
    mailbox.deliver(reply("Someone Else <someone@else.example>", "Please put me on this report."))
    run_due_timers()

    assert Report.objects.count() == 2
    assert actions(report).count("reports.report.mail_reply") == 1
    event = AuditEvent.objects.get(action="reports.report.mail_reply")
    assert event.after == {"from": "dilya@example.org", "comment": "Now the pipe in the yard leaks too.", "photos": 0}
    stranger = Report.objects.exclude(pk=report.pk).get()
    assert stranger.contact_email == "someone@else.example" and stranger.channel == Report.Channel.EMAIL
    assert stranger.description.endswith("Please put me on this report.")
    assert submitted(stranger).after["channel"] == "email"
    assert [m.outcome for m in InboundMessage.objects.order_by("pk")] == ["report", "reply", "report"]
    assert mailbox.flags() == [{SEEN}] * 3

    client.force_login(city.dispatcher)  # staff read the reply on the report's trail
    page = client.get(reverse("reports:staff_report", args=[report.reference])).content.decode()
    assert "Now the pipe in the yard leaks too." in page
    assert f"An e-mail from dilya@example.org was added to {report.reference}." in page


def test_the_reporters_account_address_may_answer_about_their_report_by_naming_it(client, city, provider):
    report = file_report(city)  # the resident's, from the web, signed in as rano@example.org

    response = post_mail(client, mail(sender="Rano <rano@example.org>", subject=f"About {report.reference}",
                                      body="The hole is getting bigger."))

    assert response.json() == {"outcome": "reply", "reference": report.reference, "duplicate": False}
    assert actions(report)[-1] == "reports.report.mail_reply" and Report.objects.count() == 1


def test_the_webhook_files_a_signed_message_and_takes_it_once(client, city, provider):
    raw = mail(message_id="<hook-1@example.org>", body="The street light at the school is out.",
               subject="Street light")

    first = post_mail(client, raw)
    again = post_mail(client, raw, how="form")

    assert first.status_code == 200
    report = Report.objects.get()
    assert first.json() == {"outcome": "report", "reference": report.reference, "duplicate": False}
    assert again.json() == {"outcome": "report", "reference": report.reference, "duplicate": True}
    assert report.description == "Street light\n\nThe street light at the school is out."
    assert submitted(report).after["channel"] == "email"
    assert AuditEvent.objects.filter(action="reports.report.submit").count() == 1


@pytest.mark.parametrize("how", ["form", "multipart"])
def test_the_webhook_reads_the_message_from_a_form_field(client, city, provider, how):
    response = post_mail(client, mail(body="Garbage not collected for a week."), how=how)
    assert response.json()["outcome"] == "report"
    assert Report.objects.get().description.endswith("Garbage not collected for a week.")


def test_an_unsigned_or_wrongly_signed_post_is_refused_and_nothing_is_stored(client, city, provider):
    assert post_mail(client, mail(), secret="").status_code == 403
    assert post_mail(client, mail(), secret="a-guess").status_code == 403
    assert not Report.objects.exists() and not InboundMessage.objects.exists()


def test_a_signed_post_that_is_no_e_mail_is_a_clear_400(client, city, provider):
    response = post_mail(client, b"this is not an e-mail")
    assert response.status_code == 400 and response.json()["code"] == "mail_unreadable"
    assert not Report.objects.exists() and not InboundMessage.objects.exists()


def test_a_message_the_webhook_took_is_not_filed_again_from_the_mailbox(client, city, provider, mailbox):
    raw = mail(message_id="<both-ways@example.org>")
    post_mail(client, raw)
    mailbox.deliver(raw)

    run_due_timers()

    assert Report.objects.count() == 1 and mailbox.flags() == [{SEEN}]


def test_automatic_answers_are_ignored_and_a_broken_message_is_flagged_without_holding_up_the_rest(
        city, mailbox, caplog):
    mailbox.deliver(mail(subject="Out of office", headers=[("Auto-Submitted", "auto-replied")]))
    mailbox.deliver(b"Subject: nobody sent this\r\n\r\nNo From header at all.\r\n")
    mailbox.deliver(mail(sender="Munis <no-reply@munis.local>", subject="Your report PR-2026-000001 is received"))
    mailbox.deliver(mail(body="Potholes on Somoni avenue."))

    with caplog.at_level(logging.WARNING, logger="reports.inbound"):
        run_due_timers()

    report = Report.objects.get()
    assert report.description.endswith("Potholes on Somoni avenue.")
    assert mailbox.flags() == [{SEEN}, {SEEN, FLAGGED}, {SEEN}, {SEEN}]
    assert [m.outcome for m in InboundMessage.objects.order_by("pk")] == ["ignored", "ignored", "report"]
    assert "cannot be a report" in caplog.text


def test_a_long_letter_is_cut_to_the_description_limit_not_refused(city, provider, client):
    post_mail(client, mail(body="The heating does not work. " * 200))
    description = Report.objects.get().description
    assert len(description) == 2000 and description.endswith("…")


def test_a_processed_message_is_moved_when_a_folder_is_named(city, mailbox, settings):
    settings.MUNIS_REPORTS_IMAP_MOVE_TO = "Processed"
    mailbox.folders["Processed"] = []
    mailbox.deliver(mail())

    call_command("poll_report_mailbox")

    assert Report.objects.count() == 1
    assert mailbox.folders["INBOX"] == [] and len(mailbox.folders["Processed"]) == 1


def test_a_mail_server_that_is_down_costs_a_warning_not_the_timers(city, settings, caplog):
    settings.MUNIS_REPORTS_IMAP_HOST, settings.MUNIS_REPORTS_IMAP_PORT = "127.0.0.1", free_port()
    settings.MUNIS_REPORTS_IMAP_SSL, settings.MUNIS_REPORTS_IMAP_TIMEOUT = False, 2

    with caplog.at_level(logging.WARNING, logger="reports.inbound"):
        run_due_timers()

    assert "could not be read" in caplog.text and not Report.objects.exists()


def test_wrong_credentials_are_said_by_the_command(city, mailbox, settings):
    settings.MUNIS_REPORTS_IMAP_PASSWORD = "wrong"
    with pytest.raises(Exception, match="could not be read"):
        call_command("poll_report_mailbox")


def test_image_attachments_become_the_reports_photos_and_a_replys_join_them(client, city, provider):
    from documents.selectors import documents_of_case

    response = post_mail(client, mail(body="See the photo.", images=[("leak.png", PNG)]))
    report = Report.objects.get(reference=response.json()["reference"])
    assert documents_of_case(report).count() == 1 and submitted(report).after["photos"] == 1

    post_mail(client, mail(subject=f"Re: {report.reference}", body="Another one.", images=[("more.png", PNG)]))
    assert documents_of_case(report).count() == 2
    assert AuditEvent.objects.get(action="reports.report.mail_reply").after["photos"] == 1


@pytest.mark.parametrize(("text", "kept"), [
    ("Thanks!\n\nOn Tue, 2 Jun 2026 at 10:00, Munis <no-reply@munis.local> wrote:\n> Your report", "Thanks!"),
    ("Спасибо!\n\n2 июня 2026 г., 10:00, Munis <no-reply@munis.local> пишет:\n> Ваше сообщение", "Спасибо!"),
    ("Fixed?\n\n-----Original Message-----\nFrom: Munis\nSent: Tuesday", "Fixed?"),
    ("Yes\n\nFrom: Munis <no-reply@munis.local>\nSent: Tuesday, 2 June 2026\nTo: me", "Yes"),
    ("A line\n> quoted\nAnother line\n-- \nSignature", "A line\nAnother line"),
])
def test_quoted_replies_and_signatures_are_cut_off(text, kept):
    assert without_quotes(text) == kept


def test_a_message_in_russian_is_answered_in_russian(client, city, provider):
    post_mail(client, mail(subject="Нет света", body="На улице Айни не горят фонари."))
    follower = Report.objects.get().followers.get()
    assert follower.language == "ru" and follower.email == "dilya@example.org"
    notice = OutboxMessage.objects.get(address="dilya@example.org")
    assert "получено" in notice.subject

