"""Settings for the mentoring product.

One module, driven by environment variables (the README has the table). DEBUG is off unless DJANGO_DEBUG=1
(`make run` and the tests set it); then it runs locally with no other variable: SQLite, background work on a
local file transport, e-mail to the console, a random secret key kept in var/secret_key. Production sets
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL; with DEBUG off the secure settings below
switch on so that `check --deploy --fail-level WARNING` passes.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from .settings_env import celery_broker, env_bool, env_float, env_list, file_storage, local_secret_key

# Lets model admin and form classes be subscripted at run time, as their type hints are.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


# Off unless asked for: `make run` and the tests set DJANGO_DEBUG=1; a forgotten variable never means debug.
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (for local development set DJANGO_DEBUG=1)."
        )
    SECRET_KEY = local_secret_key(BASE_DIR / "var" / "secret_key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = os.environ.get("SITE_NAME", "Mentoring")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "djangosaml2",
    "people",
    "programmes",
    "evaluation",
    "privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # SAML's own short session (SameSite=None, so the provider's POST back carries it); only set during SAML.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "people.middleware.UserPreferencesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mentoring.urls"
WSGI_APPLICATION = "mentoring.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "programmes.core.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://...) or the embedded SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database host must fail a request (and /health/) in seconds, not hang it.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The local worker and the web server write the same file: wait for locks instead of failing,
    # and take the write lock at BEGIN so that transactions never deadlock on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to process memory while Redis is down or hung (mentoring/cache.py): pages and the
            # API's throttle never wait long on, or fail because of, Redis.
            "BACKEND": "mentoring.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": "mentoring",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "people.sso.oidc.OrganisationOIDCBackend",
    "people.sso.saml.OrganisationSaml2Backend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "people:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Lockout after repeated failures: per account and address, so nobody can lock a colleague out from afar.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]


def axes_username(request: object, credentials: dict[str, str] | None) -> str:
    """The account a login attempt is for, as the login form names it, in one case.

    E-mail matching ignores case, so the lockout must too: otherwise "Ana@x" and "ana@x" count apart.
    """
    raw = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username") or ""
    return str(raw).strip().lower()


AXES_USERNAME_CALLABLE = axes_username
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
# The client's address behind TRUSTED_PROXY_COUNT proxies (X-Forwarded-For), for the lockout and signatures.
TRUSTED_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "people.client_ip.client_ip"
# Password reset requests per hour: from one address, and for one account.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3"))

# Internationalisation: English and Bahasa Indonesia; each user's preference is activated per request.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date and one date-and-time format per language; ISO first among input formats (date inputs need it).
FORMAT_MODULE_PATH = ["mentoring.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Jakarta")
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise (hashed and compressed in production).
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and exported files are never served by URL: permission-checked views stream them.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": file_storage(os.environ),  # uploads, import previews, exports: a bucket keeps the web tier stateless
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Source maps are fetched only by developer tools: not worth a minute of brotli and zopfli at every deploy.
# Pages name static files only through {% static %}, so the unhashed copies are not needed either.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# HRIS files larger than this are checked and imported by the worker, the page showing progress (about
# 4,000 people: a few seconds inline); smaller ones are handled inside the request.
# Import previews, finished import jobs' files and built exports are deleted after this many hours.
TEMPORARY_FILES_HOURS = int(os.environ.get("TEMPORARY_FILES_HOURS", "24"))
PEOPLE_IMPORT_INLINE_BYTES = int(os.environ.get("PEOPLE_IMPORT_INLINE_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# E-mail: the console locally; SMTP when EMAIL_HOST is set.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Mentoring <mentoring@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Forms
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_AGE = 60 * 60 * 12

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # __Host- cookies are bound to this exact host, over HTTPS, for the whole path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-language"

# Celery: Redis when REDIS_URL is set; otherwise a local file transport shared by the web server and
# the worker that `make run` starts beside it, so reminders still go out on a laptop.
CELERY_LOCAL_DIR = Path(os.environ.get("CELERY_LOCAL_DIR", BASE_DIR / "var" / "celery"))


CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker(REDIS_URL, CELERY_LOCAL_DIR)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# Beat's schedule file: when each periodic task last ran. It must outlive beat (a persistent volume in a
# container): a beat that starts without it waits a full interval before each task, so a beat restarted
# more often than hourly would never run the hourly jobs. Read by `celery beat` without --schedule.
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get("CELERY_BEAT_SCHEDULE", str(BASE_DIR / "var" / "celerybeat-schedule"))
CELERY_TASK_EAGER_PROPAGATES = True
# How often beat runs each entry of the schedule (mentoring/celery.py), in seconds; an entry that waited longer
# than its interval in a queue expires. The frequent sweeps can be tuned per deployment.
MENTORING_BEAT_INTERVALS: dict[str, float] = {
    "send-due-notifications": env_float("NOTIFICATION_SWEEP_SECONDS", 30),
    "republish-pending": env_float("REPUBLISH_SWEEP_SECONDS", 60),
    "sweep-support": env_float("SUPPORT_SWEEP_SECONDS", 3600),
    "hris-sync": env_float("HRIS_SYNC_MINUTES", 60) * 60,
    "invitation-reminders": 6 * 3600,
    "delete-temporary-files": 3600,
    "send-orientation-reminders": 3600,
    "evaluation-open-and-close-cycles": 30 * 60,
    "evaluation-cycle-reminders": 6 * 3600,
    "unstick-background-jobs": 5 * 60,
    "evaluation-compute-outcome-results": 3600,
    "privacy-apply-retention": 24 * 3600,
}

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "evaluation.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_RATE", "600/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mentoring outcomes API",
    "DESCRIPTION": "Read-only API for HR analysts: programmes, metrics, outcome results.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["evaluation.pagination.IsAPIUser"],
    "PREPROCESSING_HOOKS": ["evaluation.pagination.outcomes_api_only"],
}

API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "500"))

# Personal data (issue 12): the notice's version (a new one is shown again at sign-in), how long pair content
# outlives its programme, and how long a coordinator's reason for reading a pair's content holds.
PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-12")
PRIVACY_RETENTION_MONTHS = int(os.environ.get("PRIVACY_RETENTION_MONTHS", "24"))
CONTENT_READ_REASON_MINUTES = int(os.environ.get("CONTENT_READ_REASON_MINUTES", "30"))

# Single sign-on with OpenID Connect (README: "Connecting an identity provider"). Off unless OIDC_ISSUER and
# OIDC_CLIENT_ID are set; the provider's endpoints come from its discovery document unless given here.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_ENDPOINT", "")
OIDC_CLAIM_EMAIL = os.environ.get("OIDC_CLAIM_EMAIL", "email")
OIDC_CLAIM_NAME = os.environ.get("OIDC_CLAIM_NAME", "name")
OIDC_CLAIM_EMPLOYEE_ID = os.environ.get("OIDC_CLAIM_EMPLOYEE_ID", "")
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 5
OIDC_AUTHENTICATION_CALLBACK_URL = "people:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
# Single sign-on with SAML 2.0 (README: "Connecting an identity provider"). Off unless the provider's
# metadata is given; assertions must be signed (checked with xmlsec1).
SAML_IDP_METADATA_URL = os.environ.get("SAML_IDP_METADATA_URL", "")
SAML_IDP_METADATA_FILE = os.environ.get("SAML_IDP_METADATA_FILE", "")
SAML_SP_ENTITY_ID = os.environ.get("SAML_SP_ENTITY_ID", "")
SAML_XMLSEC_BINARY = os.environ.get("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
SAML_ATTRIBUTE_EMAIL = os.environ.get("SAML_ATTRIBUTE_EMAIL", "mail")
SAML_ATTRIBUTE_NAME = os.environ.get("SAML_ATTRIBUTE_NAME", "displayName")
SAML_ATTRIBUTE_EMPLOYEE_ID = os.environ.get("SAML_ATTRIBUTE_EMPLOYEE_ID", "")
SAML_CREATE_USERS = env_bool("SAML_CREATE_USERS", False)
SAML_CONFIG_LOADER = "people.sso.saml.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_SESSION_COOKIE_NAME = "saml_session" if DEBUG else "__Host-saml_session"
SAML_ATTRIBUTE_MAPPING: dict[str, tuple[str, ...]] = {}

# Scheduled HRIS sync (README: "Scheduled HRIS sync"): a folder whose newest *.csv is read, or an HTTPS URL.
HRIS_SYNC_SOURCE = os.environ.get("HRIS_SYNC_SOURCE", "")
HRIS_SYNC_AUTHORIZATION = os.environ.get("HRIS_SYNC_AUTHORIZATION", "")
HRIS_SYNC_FULL_FILE = env_bool("HRIS_SYNC_FULL_FILE", False)
HRIS_SYNC_REVIEW = env_bool("HRIS_SYNC_REVIEW", False)
# Invitations to apply (programmes/services/invitations.py): one reminder this many days after the invitation.
INVITATION_REMINDER_DAYS = int(os.environ.get("INVITATION_REMINDER_DAYS", "7"))
# With single sign-on in place the password form can be closed to everyone but site administrators.
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
