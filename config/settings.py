"""Coffeechat settings: one module, every behaviour switched by environment variables.

See `.env.example` for the full list and README.md for what each one does.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A local .env is a convenience for development; production sets real variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# No default secret outside DEBUG: a production deploy without SECRET_KEY must fail loudly.
SECRET_KEY = env("SECRET_KEY", default="dev-insecure-coffeechat-key" if DEBUG else None)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens: hashed at rest, several per user, revocable (django-rest-knox)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files: no CDN, works offline
    "csp",  # django-csp: its system checks catch settings in the pre-4.0 format
    "django_htmx",
    "axes",  # failed log-ins, counted in the database (django-axes); see "Sign-in lockout" below
    # Dependencies point down: accounts <- contacts <- outreach <- crm.
    "accounts",
    "contacts",
    "outreach",
    "crm",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.UserTimezoneMiddleware",
    # A signed-in user's pages carry Cache-Control: no-store, so Back shows the current state.
    "crm.middleware.FreshPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: SQLite in var/ is the embedded default; DATABASE_URL=postgres://... in CI and production.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so the reminder sender's
    # "check status, send, mark sent" cannot interleave with another worker's (no row locks in SQLite).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out (username, address) pair before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Tests and `make run` serve static files straight from the apps without collectstatic.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG

# Email: console in development unless EMAIL_HOST is set.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Coffeechat <reminders@coffeechat.local>")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# Celery: Redis when REDIS_URL is set, otherwise a filesystem transport under var/ (no server).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Reminders never use long ETAs, so a short visibility timeout only speeds up
        # redelivery of tasks whose worker died; the status guard absorbs the duplicate.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for _sub in ("out", "processed", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        # Broadcast/control messages (worker pings, remote commands) also stay under var/.
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
# The shared store for throttles: every web and worker process must agree on the counts, so
# Redis when REDIS_URL is set, else the database (`createcachetable`, run by `make run` and the
# Procfile's release step). Never process memory. Redis failing open: see config/cache.py.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": env("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "coffeechat",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "coffeechat_cache"}}

CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# The queue the worker consumes and beat and the sweep publish to (tests use their own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Reminders
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=60)
# A claimed reminder whose send task has not finished after this long is claimed again
# (its worker died or its task was lost with the broker).
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int("REMINDER_CLAIM_TIMEOUT_SECONDS", default=300)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)

# Imports
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
# Files with more rows than this, or more bytes than IMPORT_SYNC_MAX_BYTES, run as a background
# job with progress: a web request never parses a big file (a request only counts its rows).
IMPORT_SYNC_MAX_ROWS = env.int("IMPORT_SYNC_MAX_ROWS", default=2000)
IMPORT_SYNC_MAX_BYTES = env.int("IMPORT_SYNC_MAX_BYTES", default=1024 * 1024)
# The longest CSV field or vCard property line (unfolded), in characters: a longer one refuses the
# file with its line number. A note of 64 KiB is a short book; a 15 MB "how we met" is an attack.
IMPORT_MAX_FIELD_BYTES = env.int("IMPORT_MAX_FIELD_BYTES", default=64 * 1024)
# Rows written per transaction by an import (a background import shows progress per batch).
IMPORT_BATCH_ROWS = env.int("IMPORT_BATCH_ROWS", default=1000)
# The mail-in address (issue #13): in+<token>@MAIL_IN_DOMAIN, received by `manage.py mail_in`
# (an SMTP server on MAIL_IN_HOST:MAIL_IN_PORT; point the domain's MX, or a forwarding rule, at it).
MAIL_IN_DOMAIN = env("MAIL_IN_DOMAIN", default="in.coffeechat.local")
MAIL_IN_HOST = env("MAIL_IN_HOST", default="127.0.0.1")
MAIL_IN_PORT = env.int("MAIL_IN_PORT", default=2525)
# A larger message is refused with 552 (at DATA, before anything is kept).
MAIL_IN_MAX_BYTES = env.int("MAIL_IN_MAX_BYTES", default=10 * 1024 * 1024)
# How much of an accepted message's original is kept for the timeline (the rest is cut).
MAIL_IN_KEEP_BYTES = env.int("MAIL_IN_KEEP_BYTES", default=256 * 1024)
# A running background import that has not finished a batch for this long lost its worker:
# it shows as `partial` (what was written stays; importing the file again completes it).
IMPORT_JOB_STALL_SECONDS = env.int("IMPORT_JOB_STALL_SECONDS", default=300)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Idempotent writes (#10; config/idempotency.py): how long a request waits for another with the
# same Idempotency-Key (or form token) to finish before it answers 409, and after how long a
# first request that never finished (its process died) no longer holds the key.
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=5.0)
IDEMPOTENCY_ABANDONED_SECONDS = env.int("IDEMPOTENCY_ABANDONED_SECONDS", default=120)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that unauthenticated requests get 401 with WWW-Authenticate.
        "config.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON that refuses pathological nesting and lone surrogates with a 400 (config.parsers.JSONParser);
    # forms for uploads.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's two, but JSON that cannot be encoded (a quoted lone surrogate) is sent escaped, not a 500.
    "DEFAULT_RENDERER_CLASSES": [
        "config.parsers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "config.api.FilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    # drf-spectacular's, plus the Idempotency-Key header on the POSTs that honour it.
    "DEFAULT_SCHEMA_CLASS": "config.idempotency.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("THROTTLE_AUTH", default="20/min"),
        "imports": env("THROTTLE_IMPORTS", default="30/hour"),
        "exports": env("THROTTLE_EXPORTS", default="60/hour"),
        # Per client address: sign-up (the web form and the API share it) and password-reset requests.
        "signup": env("THROTTLE_SIGNUP", default="10/hour"),
        "password_reset": env("THROTTLE_PASSWORD_RESET", default="10/hour"),
        # Per e-mail address entered: nobody can flood one inbox with reset links.
        "password_reset_email": env("THROTTLE_PASSWORD_RESET_EMAIL", default="3/hour"),
        # Per mail-in address: messages accepted by `manage.py mail_in` (more get 450, try later).
        "mail_in": env("THROTTLE_MAIL_IN", default="60/hour"),
    },
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # How many proxies in front of the app append to X-Forwarded-For. 0: the client is the
    # connection's address and the header is ignored (else any client could pick its own
    # identity and dodge every rate limit). Behind one load balancer, set TRUSTED_PROXIES=1.
    "NUM_PROXIES": env.int("TRUSTED_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# `Authorization: Token <key>`. Unset API_TOKEN_TTL_HOURS: tokens are valid until revoked (or
# until the password changes, which revokes them all: accounts.services.password_changed).
API_TOKEN_TTL_HOURS = env.int("API_TOKEN_TTL_HOURS", default=None)
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS) if API_TOKEN_TTL_HOURS else None,
}

# Sign-in lockout (django-axes, https://django-axes.readthedocs.io/en/latest/4_configuration.html).
# LOGIN_FAILURE_LIMIT failures for one username from one client address lock that pair out
# (429 with Retry-After) until LOGIN_LOCKOUT_MINUTES have passed since its last failure; the
# owner elsewhere is not affected. LOGIN_ACCOUNT_FAILURE_LIMIT failures for the username from
# any addresses lock the account everywhere (guessing spread over many addresses). Counts
# live in the database, so every process agrees. accounts/lockout.py combines the two.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# The client address as DRF's throttles see it, so TRUSTED_PROXIES governs both.
AXES_CLIENT_IP_CALLABLE = "config.throttling.client_address"
# Attempts refused during a lockout are not counted: they neither extend it nor let one
# address add to the account-wide count beyond its own limit.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a successful log-in clears the pair's count
AXES_DISABLE_ACCESS_LOG = True  # no per-log-in audit rows (they would grow without bound)

SPECTACULAR_SETTINGS = {
    "TITLE": "Coffeechat API",
    "DESCRIPTION": "Your product-management networking pipeline: contacts, coffee chats, follow-ups.",
    "VERSION": "1.0.0",
    # /api/v1/docs/ loads Swagger UI from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.document_error_responses",  # every operation documents its 4xx shape
        "config.idempotency.document_idempotency_responses",  # 409 and 422 of Idempotency-Key
    ],
    # Several models have a `kind`/`status`: give each enum its own component name.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "outreach.models.Stage",
        "ConversationKindEnum": "outreach.models.ConversationKind",
        "TemplateKindEnum": "outreach.models.TemplateKind",
        "ChannelEnum": "outreach.models.Channel",
        "FollowUpKindEnum": "outreach.models.FollowUpKind",
        "FollowUpStatusEnum": "outreach.models.FollowUpStatus",
        "ReminderKindEnum": "outreach.models.ReminderKind",
        "ReminderStatusEnum": "outreach.models.ReminderStatus",
        "TouchChannelEnum": "outreach.models.TouchChannel",
        "OfferKindEnum": "outreach.models.OfferKind",
        "OfferStatusEnum": "outreach.models.OfferStatus",
        "CorrespondentStatusEnum": "outreach.models.CorrespondentStatus",
        "RelationshipEnum": "contacts.models.Relationship",
        "SourceEnum": "contacts.models.Source",
        "NoteKindEnum": "crm.models.NoteKind",
        "OpportunityStatusEnum": "crm.models.OpportunityStatus",
        "PortfolioKindEnum": "outreach.models.PortfolioKind",
        "PortfolioStatusEnum": "outreach.models.PortfolioStatus",
        "PathwayEnum": "accounts.models.Pathway",
        "DuplicateReasonEnum": "contacts.selectors.DUPLICATE_REASONS",
    },
}

# Content-Security-Policy (django-csp 4: https://django-csp.readthedocs.io/en/latest/configuration.html).
# Only our own files: no inline <script>, event handler or style attribute, no eval, no CDN.
# Behaviour lives in crm/static/crm/app.js, looks in app.css; htmx's own inline styles and
# eval are switched off in templates/base.html. A page that needs more must say so in a test.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for the favicon placeholder and Swagger UI's icons
        "connect-src": [SELF],
        "frame-ancestors": [NONE],  # never framed (X-Frame-Options DENY for older browsers)
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Other sites never learn which page of someone's CRM a link was followed from.
SECURE_REFERRER_POLICY = "same-origin"
# Browser features the app never uses, refused for it and anything it could embed (config/headers.py).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Production hardening: on whenever DEBUG is off, so `check --deploy` passes.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
