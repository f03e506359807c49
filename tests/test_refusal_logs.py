"""A refused or unknown address is one line in the log, never a traceback: the security log's line for a refusal
a view answered (who, from where), Django's for an address that matches no page; and /favicon.ico, which every
browser asks for, is an icon rather than a 404 on every page."""

import logging

import pytest

REFUSAL_LOGGERS = ("django.request", "munis.security")


def _refusal_records(caplog):
    return [r for r in caplog.records if r.name in REFUSAL_LOGGERS and r.levelno >= logging.WARNING]


def test_the_site_has_an_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file


@pytest.mark.parametrize(("who", "url", "status"), [
    (None, "/no-such-page/", 404),
    ("citizen", "/applications/999999/", 404),
    ("clerk", "/audit/", 403),
    ("citizen", "/api/v1/applications/999999/", 404),
])
def test_a_refusal_is_logged_once_without_a_traceback(client, people, caplog, who, url, status):
    if who:
        client.force_login(getattr(people, who))
    caplog.set_level(logging.INFO)
    assert client.get(url).status_code == status
    [record] = _refusal_records(caplog)
    assert not record.exc_info


def test_a_line_of_djangos_is_written_once_even_while_debugging(settings, monkeypatch):
    """Django's own console handler (DEBUG only) printed each of its lines a second time beside ours."""
    settings.DEBUG = True
    written = []

    def emit(handler, record):
        if type(handler) is logging.StreamHandler:
            written.append(record)

    monkeypatch.setattr(logging.StreamHandler, "emit", emit)
    logging.getLogger("django.request").warning("Not Found: %s", "/x", extra={"status_code": 404},
                                                exc_info=ValueError("no such page"))
    [record] = written
    assert not record.exc_info
