"""Munis settings: one module, driven by environment variables.

Defaults are safe for `make run` on a laptop (SQLite, local files, console e-mail).
Production hardening is switched on by ``DJANGO_DEBUG=0``.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="insecure-dev-key-only-for-make-run-change-me-in-production-0123456789",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("MUNIS_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "core.apps.StaticFilesConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_htmx",
    "viewflow",
    "viewflow.workflow",
    "core",
    "accounts",
    "workflows",
    "documents",
    "eservices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = env("DJANGO_ROOT_URLCONF", default="config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'munis.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DATABASES["default"]["TEST"] = {"NAME": env("MUNIS_TEST_DB_NAME", default=None)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Covering indexes (INCLUDE) serve PostgreSQL; SQLite, the embedded default,
# builds the same indexes without the extra columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Staff and citizen login throttling (django-axes): lock after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = env("MUNIS_TIME_ZONE", default="Asia/Tashkent")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env("MUNIS_STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static_src"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.npm_static.NpmFinder",
]
# Files from node_modules (`make run` / `make test` run `npm ci` from package-lock.json)
# served as our own static files, no CDN: static prefix -> (folder in node_modules, files).
NPM_STATIC_FILES = {
    "vendor/bpmn-js": ("bpmn-js/dist", [
        "bpmn-navigated-viewer.production.min.js", "assets/diagram-js.css", "assets/bpmn-js.css",
    ]),
    # the map too: the production storage rewrites the file's sourceMappingURL and needs its target
    "vendor/chart.js": ("chart.js/dist", ["chart.umd.min.js", "chart.umd.min.js.map"]),
}
MEDIA_URL = "/media-not-served/"
MEDIA_ROOT = env("MUNIS_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Document blobs (documents.blobs): files under MEDIA_ROOT/documents, or S3 when S3_BUCKET is set.
    "documents": {"BACKEND": "documents.storage.LocalBlobStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Document blobs on S3 (AWS, MinIO, SeaweedFS, Ceph) when S3_BUCKET is set; see config/s3.py.
if env("S3_BUCKET", default=""):
    from config.s3 import DEFAULT_MULTIPART_CHUNKSIZE, DEFAULT_MULTIPART_THRESHOLD, documents_storage

    STORAGES["documents"] = documents_storage(
        bucket=env("S3_BUCKET"),
        endpoint_url=env("S3_ENDPOINT_URL", default=""),  # empty: AWS itself
        access_key=env("S3_ACCESS_KEY_ID", default=""),  # empty: boto3's own lookup (e.g. instance role)
        secret_key=env("S3_SECRET_ACCESS_KEY", default=""),
        region=env("S3_REGION", default="us-east-1"),
        addressing_style=env("S3_ADDRESSING_STYLE", default="path"),
        multipart_threshold=env.int("S3_MULTIPART_THRESHOLD", default=DEFAULT_MULTIPART_THRESHOLD),
        multipart_chunksize=env.int("S3_MULTIPART_CHUNKSIZE", default=DEFAULT_MULTIPART_CHUNKSIZE),
    )
# --- end of S3 block

CACHES = {
    "default": (
        env.cache("CACHE_URL")
        if env("CACHE_URL", default=None)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Munis <no-reply@munis.local>")

# Background jobs. Without a broker they run inline (the embedded default); with
# one, `celery -A config worker` runs them and `celery -A config beat` fires the
# timers every TIMERS_INTERVAL seconds.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
MUNIS_TIMERS_INTERVAL = env.float("MUNIS_TIMERS_INTERVAL", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "run-timers": {"task": "workflows.run_timers", "schedule": MUNIS_TIMERS_INTERVAL},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Munis API",
    "DESCRIPTION": "Municipal e-services: service catalog and a citizen's own applications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI is served from our own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Uploads: content-checked, size-limited (see eservices.uploads).
MUNIS_UPLOAD_MAX_BYTES = env.int("MUNIS_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
MUNIS_UPLOAD_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Public write endpoints are rate limited (django-ratelimit).
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "core.views.rate_limited"

# Content Security Policy (django-csp 4): no third-party origins, no inline script.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
