"""Links in e-mails and the QR code of an issued letter lead to where `make run` serves (its HOST and PORT), unless
the installation names its public address in MUNIS_SITE_URL."""

import os
import re
import subprocess
import sys

from django.conf import settings

SHOW = ("import django; django.setup(); from django.conf import settings; from core.mail import site_link; "
        "from documents.letters import verify_url; "
        "print(settings.SITE_URL, site_link('eservices:catalog'), verify_url('ABCD-EFGH'), 'x.example' in "
        "settings.ALLOWED_HOSTS)")


def _settings_with(**environ):
    env = {k: v for k, v in os.environ.items() if k not in ("MUNIS_SITE_URL", "MUNIS_SERVED_AT", "DJANGO_ALLOWED_HOSTS")}
    env.update(environ, DJANGO_SETTINGS_MODULE="config.settings")
    answer = subprocess.run([sys.executable, "-c", SHOW], env=env, cwd=settings.BASE_DIR, capture_output=True,
                            text=True, check=True, timeout=120)
    return answer.stdout.split()


def test_links_lead_to_the_address_make_run_serves_on():
    site, link, verify, allowed = _settings_with(MUNIS_SERVED_AT="http://x.example:8123")
    assert site == "http://x.example:8123"
    assert link.startswith("http://x.example:8123/") and verify.startswith("http://x.example:8123/verify/")
    assert allowed == "True"  # and the server answers to that name


def test_the_public_address_of_an_installation_wins():
    site, link, _verify, _allowed = _settings_with(MUNIS_SERVED_AT="http://127.0.0.1:8123",
                                                   MUNIS_SITE_URL="https://munis.example.org")
    assert site == "https://munis.example.org" and link.startswith("https://munis.example.org/")


def test_the_default_address_is_make_runs_default_host_and_port():
    makefile = (settings.BASE_DIR / "Makefile").read_text()
    host = re.search(r"^HOST \?= (\S+)$", makefile, re.M).group(1)
    port = re.search(r"^PORT \?= (\S+)$", makefile, re.M).group(1)
    assert _settings_with()[0] == f"http://{host}:{port}"


def test_make_run_tells_the_server_seed_and_timers_where_it_serves():
    plan = subprocess.run(["make", "-n", "run", "HOST=10.0.0.5", "PORT=8123"], cwd=settings.BASE_DIR,
                          capture_output=True, text=True, timeout=120).stdout
    for command in ("seed_demo", "run_timers", "runserver"):
        [line] = [line for line in plan.splitlines() if f"manage.py {command}" in line]
        assert "MUNIS_SERVED_AT=http://10.0.0.5:8123 " in line, line
