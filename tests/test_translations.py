"""The Russian catalog is complete, current with the source, and actually used.

When a test here fails because a string is new or changed, refresh and translate
the catalog:

    .venv/bin/python manage.py makemessages -l ru --ignore=.venv --ignore=var --no-obsolete

then fill in every empty ``msgstr`` (and drop any ``#, fuzzy`` flag) in
locale/ru/LC_MESSAGES/django.po, and compile it with ``make messages``.
"""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.outbox import outbox_deliver_due
from eservices.services import application_apply

from . import cases
from .factories import PERMIT_DATA, UserFactory, permit_files

BASE_DIR = Path(settings.BASE_DIR)
RU_PO = BASE_DIR / "locale" / "ru" / "LC_MESSAGES" / "django.po"
RU_MO = RU_PO.with_suffix(".mo")
MAKEMESSAGES = ["makemessages", "-l", "ru", "--ignore=.venv", "--ignore=var", "--no-obsolete"]
REFRESH_HINT = (
    "Refresh the Russian catalog with `.venv/bin/python manage.py " + " ".join(MAKEMESSAGES) + "`, "
    "translate every empty msgstr, remove '#, fuzzy' flags, then `make messages`."
)
# Never copied into the scratch project that makemessages runs against.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", "*.mo", "*.pyc",
)


def _msgfmt_statistics(po_path):
    """Checked compile (``msgfmt -c``) of one catalog; returns counts by kind."""
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext (msgfmt) is not installed; `make debs-run` installs it.")
    env = {**os.environ, "LC_ALL": "C", "LANGUAGE": ""}
    result = subprocess.run(
        ["msgfmt", "--statistics", "-c", "-o", os.devnull, str(po_path)],
        capture_output=True, text=True, env=env, check=False,
    )
    assert result.returncode == 0, f"msgfmt -c rejects {po_path}:\n{result.stderr}"

    def count(pattern):
        match = re.search(r"(\d+) " + pattern, result.stderr)
        return int(match.group(1)) if match else 0

    return {
        "translated": count(r"translated messages?"),
        "fuzzy": count(r"fuzzy translations?"),
        "untranslated": count(r"untranslated messages?"),
        "report": result.stderr.strip(),
    }


def _msgids(po_path):
    """(msgctxt, msgid, msgid_plural) of every live entry, the header excepted.

    gettext separates entries by blank lines; comments (``#``), including obsolete
    ``#~`` entries, are skipped."""
    entries = set()
    for block in po_path.read_text(encoding="utf-8").split("\n\n"):
        fields, key = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
            else:
                key = None
        if fields.get("msgid"):
            entries.add((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")))
    return entries


@pytest.fixture(scope="module")
def regenerated_po(tmp_path_factory):
    """The catalog as makemessages makes it from today's source, in a scratch copy
    of the project, so the real locale/ directory is never written to."""
    project = tmp_path_factory.mktemp("i18n") / "project"
    shutil.copytree(BASE_DIR, project, ignore=NOT_SOURCE, symlinks=True)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANGUAGE": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES],
        cwd=project, capture_output=True, text=True, env=env, check=False,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    po = project / RU_PO.relative_to(BASE_DIR)
    assert po.is_file(), "makemessages wrote no Russian catalog"
    return po


@pytest.fixture
def compiled_catalog():
    """The pages and e-mails use locale/ru/LC_MESSAGES/django.mo, which `make messages` builds."""
    assert RU_MO.is_file() and RU_MO.stat().st_mtime >= RU_PO.stat().st_mtime, (
        "The compiled Russian catalog is missing or older than django.po: run `make messages` "
        "(manage.py compilemessages -l ru --ignore=.venv) before the tests."
    )


# --- the catalog ------------------------------------------------------------------

def test_committed_russian_catalog_is_fully_translated():
    stats = _msgfmt_statistics(RU_PO)
    assert stats["translated"] > 300, stats["report"]
    assert stats["untranslated"] == 0 and stats["fuzzy"] == 0, f"{stats['report']}\n{REFRESH_HINT}"
    text = RU_PO.read_text(encoding="utf-8")
    assert not re.search(r"^#,.*\bfuzzy\b", text, re.M), f"Fuzzy flag left in {RU_PO}.\n{REFRESH_HINT}"
    assert '"Language: ru\\n"' in text
    assert '"Plural-Forms: nplurals=4;' in text, "Keep the Plural-Forms header Django's makemessages writes for ru"


def test_russian_catalog_is_current_with_the_source(regenerated_po):
    stats = _msgfmt_statistics(regenerated_po)
    assert stats["untranslated"] == 0 and stats["fuzzy"] == 0, (
        f"Strings in the source are missing from, or changed since, the Russian catalog: {stats['report']}\n"
        + REFRESH_HINT
    )
    committed, current = _msgids(RU_PO), _msgids(regenerated_po)
    assert committed == current, (
        f"new in the source: {sorted(m[1] for m in current - committed)}\n"
        f"gone from the source: {sorted(m[1] for m in committed - current)}\n{REFRESH_HINT}"
    )


# Not literal arguments to ngettext, so makemessages does not count this file as a
# source of the message (the template service_detail.html is).
WORKING_DAYS_MSGIDS = ("%(days)s working day", "%(days)s working days")
RUSSIAN_WORKING_DAYS = [
    (1, "1 рабочий день"), (2, "2 рабочих дня"), (5, "5 рабочих дней"), (11, "11 рабочих дней"),
    (21, "21 рабочий день"), (22, "22 рабочих дня"), (30, "30 рабочих дней"), (112, "112 рабочих дней"),
]


@pytest.mark.parametrize(("days", "expected"), RUSSIAN_WORKING_DAYS, ids=[str(d) for d, _ in RUSSIAN_WORKING_DAYS])
def test_russian_plural_forms(compiled_catalog, days, expected):
    with translation.override("ru"):
        text = translation.ngettext(*WORKING_DAYS_MSGIDS, days) % {"days": days}
    assert text == expected


# --- pages ------------------------------------------------------------------------

def test_catalog_and_home_page_speak_russian_to_a_russian_browser(client, compiled_catalog, permit_service):
    catalog = client.get(reverse("eservices:catalog"), headers={"accept-language": "ru"})
    assert catalog.status_code == 200
    page = catalog.content.decode()
    assert '<html lang="ru" ' in page
    assert '<h1 class="govuk-heading-xl">Услуги</h1>' in page
    assert "Разрешение на строительство" in page  # ServiceVersion.name_ru, via modeltranslation
    assert "Срок решения" in page and "30 рабочих дней" in page
    assert "Building permit" not in page and ">Services<" not in page

    home = client.get(reverse("home"), headers={"accept-language": "ru"}).content.decode()
    assert "Муниципальные услуги онлайн" in home
    assert "Разрешение на строительство" in home and "решение в течение 30 рабочих дней" in home
    assert "Войти" in home and "Регистрация" in home


def test_language_cookie_switches_the_service_page_to_russian(client, compiled_catalog, permit_service):
    url = reverse("eservices:service", args=[permit_service.code])
    english = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "Building permit" in english and "30 working days" in english

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    russian = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert '<h1 class="govuk-heading-xl">Разрешение на строительство</h1>' in russian
    assert "Сколько времени занимает" in russian and "30 рабочих дней" in russian
    assert "Ситуационный план" in russian  # RequiredDocument.name_ru
    assert "Подать заявление" in russian


# --- e-mail -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("language", "subject", "phrases"),
    [
        ("ru", "Заявление {ref} получено", ["Здравствуйте", "Разрешение на строительство", "Специалист проверит"]),
        ("en", "Application {ref} received", ["Hello", "Building permit", "A clerk will check"]),
    ],
    ids=["ru", "en"],
)
def test_applicant_is_written_to_in_their_preferred_language(
    compiled_catalog, permit_service, mailoutbox, django_capture_on_commit_callbacks, language, subject, phrases,
):
    citizen = UserFactory(full_name="Aziza Citizen", preferred_language=language)
    with django_capture_on_commit_callbacks(execute=True):
        application = application_apply(
            actor=citizen, service_type=permit_service, data=dict(PERMIT_DATA), files=permit_files(),
        )
    outbox_deliver_due()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [citizen.email]
    assert message.subject == subject.format(ref=application.reference)
    for phrase in phrases:
        assert phrase in message.body


def test_server_error_page_is_translated(compiled_catalog):
    with translation.override("ru"):
        page = render_to_string("500.html")
    assert '<html lang="ru">' in page and "<h1>Ошибка сервера</h1>" in page


def test_a_cases_documents_are_named_in_the_readers_language(client, compiled_catalog, people):
    """Uploaded under their English names, the documents read in Russian for a Russian reader, on the citizen's
    case page and on the staff's."""
    application = cases.in_review(people.citizen, people.clerk)
    for user, url in ((people.citizen, reverse("eservices:application", args=[application.pk])),
                      (people.supervisor, reverse("eservices:application", args=[application.pk]))):
        user.preferred_language = "ru"
        user.save(update_fields=["preferred_language"])
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "Ситуационный план" in page and "Архитектурный проект" in page, user
        assert "Site plan" not in page and "Architectural design" not in page, user
