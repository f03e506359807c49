"""Problem reports by SMS, through the gateway's webhook as a gateway posts them: a keyword files a report that a
moderator checks first, and the sender gets its reference back through the outbox; STATUS answers how a report
stands; anything else gets the keywords; unsigned posts are refused; a message delivered twice counts once."""

import pytest

from core.models import AuditEvent, OutboxMessage
from reports.models import Follower, InboundMessage, Report
from workflows.models import OpenTask

from .conftest import NORTH_POINT
from .helpers import file_report, work
from .inbound import deliver, post_sms, submitted, texts_to

S = Report.Status
PHONE = "+998 90 111 22 33"


def test_a_signed_sms_with_a_keyword_files_a_moderated_report_and_the_sender_gets_its_reference(client, city,
                                                                                              gateway):
    response = post_sms(client, "WATER No water at Navoi street 5 since Monday", message_id="gw-100")

    assert response.status_code == 200
    answer = response.json()
    report = Report.objects.get()
    assert answer == {"outcome": "report", "reference": report.reference, "replied": True, "duplicate": False}
    assert report.channel == Report.Channel.SMS and report.external_id == "gw-100"
    assert report.category == city.water and report.description == "No water at Navoi street 5 since Monday"
    assert report.status == S.MODERATION and not report.is_public  # a moderator sees it first
    assert OpenTask.objects.get(process_id=report.process_id).department_id == city.dispatch.pk
    # the sender's phone is the report's private contact, and follows it
    assert report.contact_phone == PHONE and report.reporter is None
    assert report.followers.get().phone == PHONE and report.followers.get().reason == Follower.Reason.REPORTER
    [reply] = texts_to(PHONE)
    assert f"Your report {report.reference} is received" in reply and f"STATUS {report.reference}" in reply
    assert submitted(report).after["channel"] == "sms" and submitted(report).after["category"] == "water"

    deliver()  # the outbox hands the reply to the gateway
    assert gateway == [(PHONE, reply)]

    work(report, "moderate", city.dispatcher, decision="admit", category=city.water.pk, latitude=NORTH_POINT[0],
         longitude=NORTH_POINT[1])
    assert report.status == S.ROUTED and report.supplier == city.water_co and report.is_public


def test_the_generic_keyword_files_a_report_without_a_category_for_the_moderator(client, city, gateway):
    response = post_sms(client, "report The bus stop roof on Rudaki fell down", message_id="gw-101")

    report = Report.objects.get(reference=response.json()["reference"])
    assert report.category is None and report.status == S.MODERATION
    assert report.description == "The bus stop roof on Rudaki fell down"
    assert submitted(report).after["channel"] == "sms"


def test_a_russian_keyword_files_a_report_and_is_answered_in_russian(client, city, gateway):
    response = post_sms(client, "Вода: нет воды в доме 12 на улице Айни", message_id="gw-102")

    report = Report.objects.get(reference=response.json()["reference"])
    assert report.category == city.water and report.description == "нет воды в доме 12 на улице Айни"
    assert report.followers.get().language == "ru"
    [reply] = texts_to(PHONE)
    assert f"Ваше сообщение {report.reference} получено" in reply and f"СТАТУС {report.reference}" in reply
    assert submitted(report).after["channel"] == "sms"

    post_sms(client, "жалоба сломана скамейка в парке", message_id="gw-103")
    assert Report.objects.filter(category__isnull=True, channel="sms").count() == 1


def test_status_answers_how_a_public_report_stands_in_words(client, city, gateway):
    report = file_report(city)  # a resident's pothole, routed to its supplier

    response = post_sms(client, f"status {report.reference.lower()}", message_id="gw-200")

    assert response.json() == {"outcome": "status", "reference": report.reference, "replied": True,
                               "duplicate": False}
    [reply] = texts_to(PHONE)
    assert reply.startswith(f"Report {report.reference}: Sent to the supplier.")
    assert f"/problems/{report.reference}/" in reply
    event = AuditEvent.objects.get(action="reports.inbound.status")
    assert event.after["reference"] == report.reference and event.after["found"] is True

    post_sms(client, f"СТАТУС {report.reference}", message_id="gw-201", sender="+998 90 000 00 01")
    assert texts_to("+998 90 000 00 01")[0].startswith(f"Сообщение {report.reference}: Направлено поставщику.")
    assert Report.objects.count() == 1  # asking files nothing


def test_status_of_an_unknown_or_hidden_report_says_there_is_no_such_report(client, city, gateway):
    post_sms(client, "STATUS PR-2026-999999", message_id="gw-300")
    assert texts_to(PHONE) == ["There is no report PR-2026-999999. Check the number in the message we sent you."]

    # a report still being moderated is answered to the phone that sent it, and to nobody else
    sent = post_sms(client, "WATER no water", message_id="gw-301", sender="+998 90 555 55 55").json()
    post_sms(client, f"STATUS {sent['reference']}", message_id="gw-302")
    assert texts_to(PHONE)[-1].startswith(f"There is no report {sent['reference']}.")
    post_sms(client, f"STATUS {sent['reference']}", message_id="gw-303", sender="+998 90 555 55 55")
    assert texts_to("+998 90 555 55 55")[-1] == f"Report {sent['reference']}: Being checked."

    post_sms(client, "STATUS", message_id="gw-304")
    assert "Send STATUS and the report's number, for example: STATUS PR-" in texts_to(PHONE)[-1]


def test_an_unknown_keyword_gets_the_keywords_and_files_nothing(client, city, gateway):
    response = post_sms(client, "Hello, the lift is broken", message_id="gw-400")

    assert response.status_code == 200
    assert response.json() == {"outcome": "help", "reference": None, "replied": True, "duplicate": False}
    assert not Report.objects.exists()
    [reply] = texts_to(PHONE)
    assert reply.startswith("We did not understand “Hello”.")
    assert "Keywords: LIGHT, POTHOLE, ROAD, WATER, REPORT." in reply and "STATUS and its number" in reply
    message = InboundMessage.objects.get()
    assert message.outcome == InboundMessage.Outcome.HELP and message.sender == PHONE
    event = AuditEvent.objects.get(action="reports.inbound.help")
    assert event.after == {"reason": "unknown_keyword", "word": "Hello", "language": "en", "replied": True}


def test_an_unknown_word_in_cyrillic_gets_the_russian_keywords(client, city, gateway):
    post_sms(client, "Здравствуйте, лифт не работает", message_id="gw-401")

    [reply] = texts_to(PHONE)
    assert reply.startswith("Мы не поняли «Здравствуйте».")
    assert "Ключевые слова: СВЕТ, ЯМА, ДОРОГА, ВОДА, ЖАЛОБА." in reply


def test_a_keyword_with_nothing_after_it_asks_for_the_problem(client, city, gateway):
    post_sms(client, "WATER", message_id="gw-402")
    assert texts_to(PHONE)[0].startswith("Say what is wrong after the keyword.")
    assert not Report.objects.exists()


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "not-a-signature"])
def test_an_unsigned_or_wrongly_signed_sms_is_refused_and_nothing_is_stored(client, city, gateway, signature):
    if signature is None:
        response = post_sms(client, "WATER no water", secret="")
    else:
        response = post_sms(client, "WATER no water", signature=signature)

    assert response.status_code == 403
    assert response.json()["code"] == "signature_invalid"
    assert not Report.objects.exists() and not InboundMessage.objects.exists()
    assert not OutboxMessage.objects.exists() and not AuditEvent.objects.filter(action__startswith="reports.").exists()


def test_signed_with_another_secret_or_with_none_configured_is_refused(client, city, gateway, settings):
    assert post_sms(client, "WATER no water", secret="a-guess").status_code == 403
    settings.MUNIS_SMS_GATEWAY_SECRET = ""
    assert post_sms(client, "WATER no water", secret="").status_code == 403
    assert not Report.objects.exists()


def test_the_same_message_delivered_twice_files_one_report_and_sends_one_reply(client, city, gateway):
    first = post_sms(client, "WATER no water since Monday", message_id="gw-500").json()
    again = post_sms(client, "WATER no water since Monday", message_id="gw-500").json()

    assert again == {**first, "replied": False, "duplicate": True}
    assert Report.objects.count() == 1 and len(texts_to(PHONE)) == 1
    assert AuditEvent.objects.filter(action="reports.report.submit").count() == 1

    post_sms(client, "HELP", message_id="gw-501")
    post_sms(client, "HELP", message_id="gw-501")
    assert len(texts_to(PHONE)) == 2


def test_the_gateways_other_field_names_are_understood(client, city, gateway):
    response = post_sms(client, "", fields={"sender": "+998 91 222 33 44", "message": "water no water",
                                            "message_id": "gw-600"})
    report = Report.objects.get(reference=response.json()["reference"])
    assert report.contact_phone == "+998 91 222 33 44" and report.external_id == "gw-600"


def test_a_post_without_a_sender_is_a_clear_400(client, city, gateway):
    response = post_sms(client, "", fields={"text": "WATER no water", "id": "gw-700"})
    assert response.status_code == 400 and response.json()["fields"]["from"]
    assert not InboundMessage.objects.exists()


def test_the_webhook_takes_posts_only(client, db):
    assert client.get("/sms/inbound/").status_code == 405
