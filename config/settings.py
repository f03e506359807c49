"""Munis settings: one module, driven by environment variables.

Defaults are safe for `make run` on a laptop (SQLite, local files, console e-mail).
Production hardening is switched on by ``DJANGO_DEBUG=0``.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

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
# `make run` serves on http://$(HOST):$(PORT) (Makefile; 127.0.0.1:8000 unless told otherwise, as here) and says so
# in MUNIS_SERVED_AT, so that links in e-mails and the QR codes of issued letters lead to the running server.
# MUNIS_SITE_URL, the public address of a real installation, wins over it.
SERVED_AT = env("MUNIS_SERVED_AT", default="http://127.0.0.1:8000")
SITE_URL = env("MUNIS_SITE_URL", default=SERVED_AT)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS",
                         default=list(dict.fromkeys(["127.0.0.1", "localhost", "testserver", urlsplit(SERVED_AT).hostname])))
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "core",
    "accounts",
    "workflows",
    "documents",
    "eservices",
    "permits",
    "reports",
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
    "core.middleware.NullCharacterMiddleware",  # after the language is known, so its message is translated
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.FormBodyLimitMiddleware",
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
                "core.context_processors.navigation",
                "core.context_processors.branding",
            ],
        },
    },
    # E-mails and other plain text: the same templates, without HTML escaping (core.mail.render_text), so a
    # name like O'g'li or "Roads & bridges" reads as written instead of as O&#x27;g&#x27;li or &amp;.
    {
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
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
    # Per-object grants: one case or record shared with named people (accounts.services.access_grant).
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "anonymous user" row: visitors who have not signed in are never granted anything, and
# our e-mail login would turn that row into an account named "AnonymousUser".
ANONYMOUS_USER_NAME = None
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
# Failures count against the address as the login matches it (trimmed, any case), not as typed.
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
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
STATICFILES_DIRS = [BASE_DIR / "static_src", BASE_DIR / "static_build"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "config.npm_static.NpmFinder",
]
# Files from node_modules (`make run` / `make test` run `npm ci` from package-lock.json)
# served as our own static files, no CDN: static prefix -> (folder in node_modules, files).
NPM_STATIC_FILES = {
    # the design system (GOV.UK Frontend): its script; its styles are compiled with our settings
    # into static_build/ (make: `css`), without GOV.UK's typeface and crown
    "vendor/govuk-frontend": ("govuk-frontend/dist/govuk", ["all.bundle.js", "all.bundle.js.map"]),
    "vendor/bpmn-js": ("bpmn-js/dist", [
        "bpmn-navigated-viewer.production.min.js", "assets/diagram-js.css", "assets/bpmn-js.css",
    ]),
    # the map too: the production storage rewrites the file's sourceMappingURL and needs its target
    "vendor/chart.js": ("chart.js/dist", ["chart.umd.min.js", "chart.umd.min.js.map"]),
    # the maps (core.maps): Leaflet, and the images its stylesheet names (a production collectstatic needs them)
    "vendor/leaflet": ("leaflet/dist", [
        "leaflet.js", "leaflet.js.map", "leaflet.css", "images/layers.png", "images/layers-2x.png",
        "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png",
    ]),
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
# A mail server that hangs must not hold a request or a job for long (Django's default: no timeout).
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
# A notification that could not be delivered is tried again after this many seconds, then twice as
# long each time, up to an hour; the 24th failed try gives up (core.outbox).
MUNIS_MAIL_RETRY_SECONDS = env.float("MUNIS_MAIL_RETRY_SECONDS", default=30.0)
# Sent notifications stay in the outbox (admin: Outbox) this many days, then the timers drop them.
MUNIS_OUTBOX_KEEP_SENT_DAYS = env.int("MUNIS_OUTBOX_KEEP_SENT_DAYS", default=90)

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
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.PageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api.problem_exception_handler",
    # DRF's own, with a JSON parser that refuses bodies nested too deep (core.parsers) instead of a 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
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

# Uploads: content-checked, size-limited (see documents.uploads).
MUNIS_UPLOAD_MAX_BYTES = env.int("MUNIS_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A form post (all its files and fields) announced as longer is refused with a 413 before it is read;
# 0: room for ten files of MUNIS_UPLOAD_MAX_BYTES (core.http.form_body_limit).
MUNIS_FORM_MAX_BYTES = env.int("MUNIS_FORM_MAX_BYTES", default=0)
MUNIS_UPLOAD_ALLOWED_TYPES = ["application/pdf", "image/jpeg", "image/png"]
MUNIS_UPLOAD_ZIP_MAX_ENTRIES = env.int("MUNIS_UPLOAD_ZIP_MAX_ENTRIES", default=1000)
MUNIS_UPLOAD_ZIP_MAX_UNCOMPRESSED = env.int("MUNIS_UPLOAD_ZIP_MAX_UNCOMPRESSED", default=256 * 1024 * 1024)
MUNIS_UPLOAD_ZIP_MAX_RATIO = env.int("MUNIS_UPLOAD_ZIP_MAX_RATIO", default=100)
# Resumable uploads (documents.resumable): the largest file a session takes, and from what size the
# forms' script sends a file in chunks. A document is still limited by MUNIS_UPLOAD_MAX_BYTES.
MUNIS_RESUMABLE_UPLOAD_MAX_BYTES = env.int("MUNIS_RESUMABLE_UPLOAD_MAX_BYTES", default=2 * 1024 ** 3)
MUNIS_RESUMABLE_UPLOAD_THRESHOLD = env.int("MUNIS_RESUMABLE_UPLOAD_THRESHOLD", default=8 * 1024 * 1024)
# Virus scanning: e.g. MUNIS_VIRUS_SCANNER=documents.antivirus.ClamdScanner with clamd on a socket or host:port.
MUNIS_VIRUS_SCANNER = env("MUNIS_VIRUS_SCANNER", default="")
MUNIS_CLAMD_SOCKET = env("MUNIS_CLAMD_SOCKET", default="")
MUNIS_CLAMD_HOST = env("MUNIS_CLAMD_HOST", default="127.0.0.1")
MUNIS_CLAMD_PORT = env.int("MUNIS_CLAMD_PORT", default=3310)
MUNIS_CLAMD_TIMEOUT = env.float("MUNIS_CLAMD_TIMEOUT", default=30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Who the site speaks for (core.branding): the municipality's name in every page's header, title and
# footer, on letters and on /verify/: MUNIS_MUNICIPALITY_NAME, translated through the catalogs, or per
# language MUNIS_MUNICIPALITY_NAME_RU etc.; its logo (a static file path, or a full URL of our own
# site); its colours (hex): the header's, and the links'. Pick a link colour with at least 4.5:1
# contrast on white, and a brand colour with at least 4.5:1 against white text.
MUNIS_MUNICIPALITY_NAME = env("MUNIS_MUNICIPALITY_NAME", default=gettext_noop("City Hall"))
MUNIS_MUNICIPALITY_NAMES = {code: env(f"MUNIS_MUNICIPALITY_NAME_{code.upper()}")
                            for code, _name in LANGUAGES if env(f"MUNIS_MUNICIPALITY_NAME_{code.upper()}", default="")}
MUNIS_LOGO = env("MUNIS_LOGO", default="img/municipality-logo.svg")
MUNIS_BRAND_COLOUR = env("MUNIS_BRAND_COLOUR", default="#1d4e89")
MUNIS_LINK_COLOUR = env("MUNIS_LINK_COLOUR", default="#1a5a96")
# The currency of the services' fees, written after the amount ("150,000 UZS"; "150 000 сум" in Russian):
# a code or a symbol, translated through the catalogs like the municipality's name.
MUNIS_CURRENCY = env("MUNIS_CURRENCY", default=gettext_noop("UZS"))

# Problem reports (reports/): the department that moderates reports and dispatches what the routing matrix does not
# place (an organisation code); how long a reporter has to confirm a resolved report fixed (or reopen it) before it
# closes by itself; how near an open report of the same category must be to be offered as a duplicate.
MUNIS_REPORTS_DISPATCH = env("MUNIS_REPORTS_DISPATCH", default="communal-dispatch")
MUNIS_REPORTS_CONFIRM_DAYS = env.int("MUNIS_REPORTS_CONFIRM_DAYS", default=14)
MUNIS_REPORTS_DUPLICATE_RADIUS_M = env.int("MUNIS_REPORTS_DUPLICATE_RADIUS_M", default=250)
# Open311 GeoReport v2 (/open311/v2/, reports.open311): posts per minute per registered application (all its users
# together) and per address (one phone, one server); whether an application's reports are moderated before they are
# routed and public (off: the operator vouched for the application when giving it a key); the jurisdiction_id this
# endpoint answers to (empty: any, it serves one city); who answers for the API and where an application gets a key
# (the discovery document).
MUNIS_OPEN311_RATE_PER_CLIENT = env("MUNIS_OPEN311_RATE_PER_CLIENT", default="60/m")
MUNIS_OPEN311_RATE_PER_ADDRESS = env("MUNIS_OPEN311_RATE_PER_ADDRESS", default="30/m")
MUNIS_OPEN311_MODERATED = env.bool("MUNIS_OPEN311_MODERATED", default=False)
MUNIS_OPEN311_JURISDICTION = env("MUNIS_OPEN311_JURISDICTION", default="")
MUNIS_OPEN311_CONTACT = env("MUNIS_OPEN311_CONTACT", default="")
MUNIS_OPEN311_KEY_SERVICE = env("MUNIS_OPEN311_KEY_SERVICE", default="")
# Problem reports by e-mail (reports.inbound): the mailbox the timers poll over IMAP (no host: not polled). Each unseen
# message is filed (or added to the report its reply names) and marked seen, or moved to MUNIS_REPORTS_IMAP_MOVE_TO.
MUNIS_REPORTS_IMAP_HOST = env("MUNIS_REPORTS_IMAP_HOST", default="")
MUNIS_REPORTS_IMAP_SSL = env.bool("MUNIS_REPORTS_IMAP_SSL", default=True)
MUNIS_REPORTS_IMAP_PORT = env.int("MUNIS_REPORTS_IMAP_PORT", default=993 if MUNIS_REPORTS_IMAP_SSL else 143)
MUNIS_REPORTS_IMAP_USER = env("MUNIS_REPORTS_IMAP_USER", default="")
MUNIS_REPORTS_IMAP_PASSWORD = env("MUNIS_REPORTS_IMAP_PASSWORD", default="")
MUNIS_REPORTS_IMAP_FOLDER = env("MUNIS_REPORTS_IMAP_FOLDER", default="INBOX")
MUNIS_REPORTS_IMAP_MOVE_TO = env("MUNIS_REPORTS_IMAP_MOVE_TO", default="")
MUNIS_REPORTS_IMAP_TIMEOUT = env.float("MUNIS_REPORTS_IMAP_TIMEOUT", default=30.0)
MUNIS_REPORTS_IMAP_BATCH = env.int("MUNIS_REPORTS_IMAP_BATCH", default=50)
# A mail provider that posts incoming mail to /email/inbound/ signs it with this secret (empty: refuse every post).
MUNIS_REPORTS_MAIL_WEBHOOK_SECRET = env("MUNIS_REPORTS_MAIL_WEBHOOK_SECRET", default="")
MUNIS_REPORTS_MAIL_MAX_BYTES = env.int("MUNIS_REPORTS_MAIL_MAX_BYTES", default=30 * 1024 * 1024)
# Reply-To of the e-mails about a report, so a reply reaches the reports' mailbox naming the report
# ("reports+{reference}@city.example"; empty: no Reply-To, replies still thread by subject and In-Reply-To).
MUNIS_REPORTS_REPLY_TO = env("MUNIS_REPORTS_REPLY_TO", default="")
# The words an SMS starts with besides the categories' own keywords, per language, merged over reports.inbound.sms
# COMMANDS: {"report": {"uz": ["ariza"]}, "status": {...}, "help": {...}}.
MUNIS_REPORTS_SMS_COMMANDS = env.json("MUNIS_REPORTS_SMS_COMMANDS", default={})
# How many posts one address may send to /sms/inbound/ and /email/inbound/ (a gateway posts every message).
MUNIS_INBOUND_WEBHOOK_RATE = env("MUNIS_INBOUND_WEBHOOK_RATE", default="600/m")

# Text messages (core.sms): the gateway. A generic HTTP gateway gets a signed form post (to, text) at
# MUNIS_SMS_GATEWAY_URL, and posts incoming SMS to /sms/inbound/ signed with the same secret. Without a gateway
# URL, `make run` prints each SMS (console); production without one sends none.
MUNIS_SMS_GATEWAY_URL = env("MUNIS_SMS_GATEWAY_URL", default="")
MUNIS_SMS_GATEWAY_SECRET = env("MUNIS_SMS_GATEWAY_SECRET", default="")
MUNIS_SMS_GATEWAY_TIMEOUT = env.float("MUNIS_SMS_GATEWAY_TIMEOUT", default=10.0)
MUNIS_SMS_BACKEND = env("MUNIS_SMS_BACKEND", default="core.sms.HttpFormGateway" if MUNIS_SMS_GATEWAY_URL
                        else "core.sms.ConsoleGateway" if DEBUG else "")
MUNIS_SMS_FILE_PATH = env("MUNIS_SMS_FILE_PATH", default=str(VAR_DIR / "sms.log"))
# Issued documents (documents.issuing): the letterhead, the signature, the verify page.
# Who signs issued PDFs: a dotted path to a documents.signing.Signer; empty: issue unsigned.
MUNIS_PDF_SIGNER = env("MUNIS_PDF_SIGNER", default="documents.signing.PadesSigner")
# The municipality's key pair (PEM or DER files), the key's passphrase, intermediate CA certificates to embed.
MUNIS_SIGNING_KEY = env("MUNIS_SIGNING_KEY", default="")
MUNIS_SIGNING_CERT = env("MUNIS_SIGNING_CERT", default="")
MUNIS_SIGNING_KEY_PASSPHRASE = env("MUNIS_SIGNING_KEY_PASSPHRASE", default="")
MUNIS_SIGNING_CHAIN = env.list("MUNIS_SIGNING_CHAIN", default=[])
# Certificates the verify page trusts as authorities (e.g. the national PKI's root), PEM or DER files.
MUNIS_SIGNING_TRUST_ROOTS = env.list("MUNIS_SIGNING_TRUST_ROOTS", default=[])
# Without a configured key: make a self-signed development certificate once under var/signing/
# (the default for `make run` and the tests). Off in production, where documents are then issued
# unsigned, with a warning in the log, until MUNIS_SIGNING_KEY and MUNIS_SIGNING_CERT are set.
MUNIS_SIGNING_DEV_CERTIFICATE = env.bool("MUNIS_SIGNING_DEV_CERTIFICATE", default=DEBUG)
MUNIS_SIGNING_DEV_DIR = env("MUNIS_SIGNING_DEV_DIR", default=str(VAR_DIR / "signing"))
# With S3 storage: an issued document's blob is under COMPLIANCE Object Lock this many years (0: none).
MUNIS_ISSUED_RETAIN_YEARS = env.int("MUNIS_ISSUED_RETAIN_YEARS", default=10)
# The blob sweeper (documents.sweeper, run by the timers) removes what nothing names once it is this old,
# reading at most this many keys per folder and run.
MUNIS_BLOB_SWEEP_GRACE_HOURS = env.int("MUNIS_BLOB_SWEEP_GRACE_HOURS", default=24)
MUNIS_BLOB_SWEEP_BATCH = env.int("MUNIS_BLOB_SWEEP_BATCH", default=1000)
# Requests per minute and client address to /verify/ (uploads count twice: see documents.views).
MUNIS_VERIFY_RATE = env("MUNIS_VERIFY_RATE", default="30/m")

# Maps (core.maps: the point picker and the map of many points): Leaflet, served by us, draws tiles from a tile
# server, a URL template with {z}/{x}/{y} (and optionally {s}, {r}): OpenStreetMap's by default, which asks for
# its attribution and allows light use only (https://operations.osmfoundation.org/policies/tiles/); a
# municipality's own tile server; or none (empty): the maps then show their points and outlines on a plain
# background. The tile server's origin is allowed in the Content-Security-Policy's img-src (below).
# MUNIS_MAP_ATTRIBUTION is HTML, shown in the map's corner. Where a map opens when it has nothing to show:
# MUNIS_MAP_CENTER (latitude,longitude) at MUNIS_MAP_ZOOM; MUNIS_MAP_MAX_ZOOM is the closest the tiles go.
MUNIS_MAP_TILES = env("MUNIS_MAP_TILES", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MUNIS_MAP_ATTRIBUTION = env(
    "MUNIS_MAP_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
MUNIS_MAP_CENTER = env.list("MUNIS_MAP_CENTER", cast=float, default=[38.56, 68.78])  # Dushanbe
MUNIS_MAP_ZOOM = env.int("MUNIS_MAP_ZOOM", default=13)
MUNIS_MAP_MAX_ZOOM = env.int("MUNIS_MAP_MAX_ZOOM", default=19)

# Public write endpoints are rate limited (django-ratelimit).
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "core.views.rate_limited"

# Content Security Policy (django-csp 4): no third-party origins, no inline script. The one exception: the map
# tiles' server (MUNIS_MAP_TILES) in img-src. Leaflet positions its tiles and markers by setting element.style
# from its script, which style-src 'self' allows (the policy governs style elements and attributes in markup).
from csp.constants import NONE, SELF  # noqa: E402

from config.maps import tile_sources  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *tile_sources(MUNIS_MAP_TILES)],
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

LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Each line names the request it was written for: our id (as in the audit rows and the X-Request-ID
    # answer) and the X-Request-ID the client or a proxy sent, "-" when none (core.request_logging).
    "formatters": {"request": {
        "()": "core.request_logging.RequestFormatter",
        "format": "%(levelname)s %(name)s [request %(request_id)s, client's %(client_request_id)s] %(message)s",
    }},
    "filters": {"refusals_once": {"()": "core.security.RefusalsLoggedOnce"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "request"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own console handler (and its mail_admins, with no ADMINS) would print each of its lines a
        # second time beside ours: its lines go to the root's handler alone
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.request": {"filters": ["refusals_once"]},
        # pyHanko logs a certificate without a trusted chain (e.g. the development certificate) as an
        # error with a traceback; the verify page reports it, so only its own failures are logged.
        "pyhanko.sign.validation": {"level": "CRITICAL"}, "pyhanko_certvalidator": {"level": "CRITICAL"},
    },
}
