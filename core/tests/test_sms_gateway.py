"""The SMS gateway adapters and the outbox's "sms" channel: the generic HTTP gateway against a real HTTP server
on loopback (what it posts, how it is signed, how the gateway's answers become transient or permanent failures),
the console and file adapters of `make run`, and an SMS put in the outbox reaching the gateway."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from core.models import OutboxMessage
from core.outbox import PermanentError, TransientError, outbox_deliver_due, outbox_put, registered_channels
from core.sms import ConsoleGateway, FileGateway, HttpFormGateway, MemoryGateway, SmsChannel
from core.webhooks import SIGNATURE_HEADER, body_signed, sign_body
from tests.smtp import free_port

SECRET = "shared-with-the-gateway"


class Gateway(BaseHTTPRequestHandler):
    """Answers each post with the status the test set, and keeps what it received."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers), body))
        self.send_response(self.server.status)
        self.end_headers()
        self.wfile.write(self.server.answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_gateway():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.received, server.status, server.answer = [], 200, b'{"status": "queued"}'
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/send?key=abc"
    yield server
    server.shutdown()
    server.server_close()


def test_the_http_gateway_posts_the_number_and_the_text_signed_with_the_shared_secret(http_gateway):
    HttpFormGateway(url=http_gateway.url, secret=SECRET).send("+998 90 111 22 33", "Ваше сообщение PR-2026-000001")

    [(path, headers, body)] = http_gateway.received
    assert path == "/send?key=abc"
    assert parse_qs(body.decode()) == {"to": ["+998 90 111 22 33"], "text": ["Ваше сообщение PR-2026-000001"]}
    assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert headers[SIGNATURE_HEADER] == sign_body(body, SECRET) and body_signed(body, SECRET, headers[SIGNATURE_HEADER])


@pytest.mark.parametrize(("status", "failure"), [(429, TransientError), (503, TransientError), (500, TransientError),
                                                 (408, TransientError), (400, PermanentError),
                                                 (403, PermanentError), (404, PermanentError)])
def test_the_gateways_answer_says_whether_to_try_again(http_gateway, status, failure):
    http_gateway.status, http_gateway.answer = status, b"invalid number"
    with pytest.raises(failure, match=str(status)):
        HttpFormGateway(url=http_gateway.url, secret=SECRET).send("+998", "Hello")


def test_a_gateway_that_does_not_answer_is_transient():
    with pytest.raises(TransientError, match="unreachable"):
        HttpFormGateway(url=f"http://127.0.0.1:{free_port()}/send", secret=SECRET, timeout=2).send("+998", "Hi")


def test_the_console_and_the_file_gateways_write_each_message(settings, tmp_path):
    stream = io.StringIO()
    ConsoleGateway(stream=stream).send("+998 90 111 22 33", "Your report PR-2026-000001 is received")
    assert "SMS to +998 90 111 22 33" in stream.getvalue() and "PR-2026-000001" in stream.getvalue()

    settings.MUNIS_SMS_FILE_PATH = str(tmp_path / "sms.log")
    FileGateway().send("+998 90 111 22 33", "First")
    FileGateway().send("+998 90 111 22 34", "Second")
    written = (tmp_path / "sms.log").read_text()
    assert "First" in written and "SMS to +998 90 111 22 34" in written


def test_an_sms_in_the_outbox_reaches_the_configured_gateway(db, settings, http_gateway):
    assert isinstance(registered_channels()["sms"], SmsChannel)  # `make run` and the tests: the console gateway
    settings.MUNIS_SMS_BACKEND = "core.sms.HttpFormGateway"
    settings.MUNIS_SMS_GATEWAY_URL, settings.MUNIS_SMS_GATEWAY_SECRET = http_gateway.url, SECRET

    outbox_put(channel="sms", address="+998 90 111 22 33", body="Report PR-2026-000001: Resolved.")
    run = outbox_deliver_due()

    assert run["sent"] == 1 and OutboxMessage.objects.get().status == OutboxMessage.Status.SENT
    assert parse_qs(http_gateway.received[0][2].decode())["text"] == ["Report PR-2026-000001: Resolved."]


def test_a_refused_number_is_given_up_and_a_gateway_that_is_down_is_retried(db, settings, http_gateway):
    settings.MUNIS_SMS_BACKEND = "core.sms.HttpFormGateway"
    settings.MUNIS_SMS_GATEWAY_URL, settings.MUNIS_SMS_GATEWAY_SECRET = http_gateway.url, SECRET
    http_gateway.status = 400
    refused = outbox_put(channel="sms", address="not a number", body="Hello")
    outbox_deliver_due()
    refused.refresh_from_db()
    assert refused.status == OutboxMessage.Status.FAILED and "400" in refused.last_error

    http_gateway.status = 503
    later = outbox_put(channel="sms", address="+998 90 111 22 33", body="Hello")
    outbox_deliver_due()
    later.refresh_from_db()
    assert later.status == OutboxMessage.Status.PENDING and later.attempts == 1 and "503" in later.last_error


def test_a_person_is_reached_at_the_phone_of_their_account():
    class Person:
        phone = " +998 90 111 22 33 "

    assert SmsChannel().address_for(Person()) == "+998 90 111 22 33"
    assert MemoryGateway().send("+1", "x") is None and MemoryGateway.sent.pop() == ("+1", "x")
