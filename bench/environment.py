"""A throw-away world for one bench run: its own database, media directory and settings.

Everything is handed to Django (and to the gunicorn workers, which inherit the environment)
through the environment variables ``config/settings.py`` reads, so it must happen before
``django.setup()``.
"""

import contextlib
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import environ

DEFAULT_DATABASE_URL = "sqlite:///var/munis.sqlite3"
#: the run's PostgreSQL database (and the prefix of a benchmark's separate one); two runs at the
#: same time on one server need different names, or the second drops the first's database
PG_BENCH_DB = os.environ.get("MUNIS_BENCH_DB_NAME") or "munis_bench"


@contextlib.contextmanager
def bench_environment():
    """Yield the temp directory of a run whose database is created here and dropped afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="munis-bench-"))
    source_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    try:
        with _bench_database(source_url, tmp) as database_url:
            os.environ.update({
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": database_url,
                "DJANGO_ROOT_URLCONF": "bench.urls",
                "RATELIMIT_ENABLE": "False",
                "AXES_ENABLED": "False",
                "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                "MUNIS_MEDIA_ROOT": str(tmp / "media"),
                # Production settings, as a deployment runs them (static files collected,
                # no per-query debug bookkeeping); TLS ends at the load balancer.
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "MUNIS_STATIC_ROOT": str(tmp / "static"),
            })
            _setup_django()
            try:
                yield tmp
            finally:
                from django.db import connections

                connections.close_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _setup_django():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    from bench.views import create_baseline_table

    create_baseline_table()


@contextlib.contextmanager
def _bench_database(source_url, tmp):
    config = environ.Env.db_url_config(source_url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
    elif config["ENGINE"] in ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"):
        with _postgres_database(config):
            yield urlsplit(source_url)._replace(path=f"/{PG_BENCH_DB}").geturl()
    else:
        raise RuntimeError(f"The bench runs on PostgreSQL or SQLite, not {config['ENGINE']}.")


@contextlib.contextmanager
def separate_database(suffix):
    """Point Django at a second throw-away PostgreSQL database, ``munis_bench_<suffix>``, migrated,
    for a benchmark whose data must neither see nor slow down the others'; back and dropped after.

    Only this process switches: the HTTP server (if started) keeps serving ``munis_bench``.
    """
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("A separate bench database needs PostgreSQL.")
    name = f"{PG_BENCH_DB}_{suffix}"
    original = connection.settings_dict["NAME"]
    with _postgres_database(dict(connection.settings_dict), name):
        _switch_database(name)
        try:
            call_command("migrate", verbosity=0, interactive=False)
            yield name
        finally:
            _switch_database(original)


def _switch_database(name):
    """What Django's test runner does for its test database, plus forgetting what was cached
    about the other database's rows (content type ids, cached configuration)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection

    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()
    cache.clear()


@contextlib.contextmanager
def _postgres_database(config, name=PG_BENCH_DB):
    """Create database ``name`` on the server ``config`` names; drop it at the end."""
    import psycopg
    from psycopg import sql

    def admin_connection():
        params = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
                  "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
        params = {key: value for key, value in params.items() if value is not None}
        try:
            return psycopg.connect(dbname="postgres", autocommit=True, **params)
        except psycopg.OperationalError:
            return psycopg.connect(dbname=config["NAME"], autocommit=True, **params)

    identifier = sql.Identifier(name)
    with admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    try:
        yield
    finally:
        with admin_connection() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
