"""TokenScope settings: one file, configured through environment variables.

Safe defaults for local use (DEBUG on, SQLite in WAL mode). Production sets DEBUG=0,
SECRET_KEY, ALLOWED_HOSTS and usually DATABASE_URL / REDIS_URL; see README.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "django-insecure-local-development-only-key-do-not-deploy"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # its Swagger UI files, served locally for /api/docs
    "axes",  # admin login lockout
    "django_tasks_db",
    "providers",
    "dashboard",
]

MIDDLEWARE = [
    "dashboard.middleware.head_as_get",
    "dashboard.middleware.api_json_errors",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dashboard.locale_middleware.SiteLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets the dashboard read while an upload writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # An unreachable Redis means no cache, never an error (dashboard.cache).
    REDIS_TIMEOUT = float(env_str("REDIS_TIMEOUT", "0.5"))
    CACHES = {
        "default": {
            "BACKEND": "dashboard.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English and Simplified Chinese: chosen from the browser's Accept-Language (zh-CN, zh-SG, zh
# -> zh-hans), changed with the switcher on every page (Django's set_language, remembered in the
# django_language cookie). Catalogues: dashboard/locale/, compiled by `manage.py compile_catalogs`.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "dashboard" / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboard.staticfinders.PlotlyFinder",
]
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

# Content Security Policy: scripts only from us (plus nonce'd inline bootstraps);
# plotly.js sets inline styles on the SVG it draws, hence 'unsafe-inline' for styles.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "admin:login"

# Admin login lockout (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT failed logins from one
# client address, that address is refused (429) for ADMIN_LOGIN_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "dashboard.rate_limits.client_ip"
AXES_RESET_ON_SUCCESS = True

# Uploads: the whole file is streamed to a temporary file, never held in memory.
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
MAX_UPLOAD_ROWS = env_int("MAX_UPLOAD_ROWS", 20_000_000)
# Distinct source model ids per upload: every page, chart and projection grows with them.
MAX_SOURCE_MODELS = env_int("MAX_SOURCE_MODELS", 200)
# The same file uploaded again from the same browser session within this many seconds
# returns the profile stored the first time (a retried or double-clicked upload).
UPLOAD_DEDUPE_SECONDS = env_int("UPLOAD_DEDUPE_SECONDS", 300)
# Pages show this many source models (the most tokens) in full: per-model tables, model
# pickers and the models each provider would use; the rest are grouped as "N other models".
DASHBOARD_TOP_MODELS = env_int("DASHBOARD_TOP_MODELS", 20)
# Uploads larger than this are parsed by a background task (`manage.py db_worker`, started by
# `make run`); the page shows their progress. Smaller ones are read during the request.
UPLOAD_BACKGROUND_BYTES = env_int("UPLOAD_BACKGROUND_BYTES", 20 * 1024 * 1024)
# Where a background upload waits for the worker (deleted once read); the web process and the
# worker must both reach it (the same machine, or a shared volume).
UPLOAD_SPOOL_DIR = Path(env_str("UPLOAD_SPOOL_DIR", str(BASE_DIR / "upload-spool")))

# Background tasks (django.tasks) stored in the same database, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
FILE_UPLOAD_HANDLERS = [
    "dashboard.upload_limits.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
PROFILE_RETENTION_DAYS = env_int("PROFILE_RETENTION_DAYS", 30)
# An offer whose end is not published is assumed to run this many months after the last
# day a source showed it running (an offer's own "assume running months" overrides it).
OFFER_ASSUMED_RUNNING_MONTHS = env_int("OFFER_ASSUMED_RUNNING_MONTHS", 6)
API_TOKENS = env_list("API_TOKENS")
# Per-client limits ("N/s|m|h|d"; empty = off), counted on the shared cache (dashboard.rate_limits).
RATE_LIMITS = {
    "upload": env_str("RATE_LIMIT_UPLOADS", "60/h"),
    "projection": env_str("RATE_LIMIT_PROJECTIONS", "300/m"),
}
# Header that carries the client's address when a proxy is in front (e.g. X-Forwarded-For
# set by nginx, see deploy/nginx.conf); empty = the connection's address.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
