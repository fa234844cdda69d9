"""The settings of anjian: one module, every difference between machines comes from the environment.

See ``.env.example`` for every variable and its default.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv
from xstatic.pkg import bootstrap as xstatic_bootstrap

from config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# A .env file beside manage.py (or the file ANJIAN_ENV_FILE names) fills in what the environment lacks.
load_dotenv(os.environ.get("ANJIAN_ENV_FILE") or BASE_DIR / ".env", override=False)

TESTING = "pytest" in sys.modules or env_bool("ANJIAN_TESTING", False)
DEBUG = env_bool("ANJIAN_DEBUG", False)
DATA_DIR = Path(env_str("ANJIAN_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_secret("ANJIAN_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105
    else:
        raise ImproperlyConfigured("ANJIAN_SECRET_KEY is required unless ANJIAN_DEBUG=true")

ALLOWED_HOSTS = env_list(
    "ANJIAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else []
)
CSRF_TRUSTED_ORIGINS = env_list("ANJIAN_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ANJIAN_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_filters",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "anjian.core",
    "anjian.audit",
    "anjian.regions",
    "anjian.accounts",
    "anjian.teams",
    "anjian.units",
    "anjian.hazards",
    "anjian.inspections",
    "anjian.enforcement",
    "anjian.plans",
    "anjian.campaigns",
    "anjian.stats",
    "anjian.dashboards",
    "anjian.reports",
    "anjian.exchange",
    "anjian.notifications",
    "anjian.backups",
    "anjian.demo",
]

MIDDLEWARE = [
    "anjian.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anjian.core.middleware.ChosenLanguageMiddleware",  # LocaleMiddleware: Chinese unless chosen
    "anjian.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "anjian.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "anjian.accounts.context_processors.navigation",
                "anjian.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

# --- Database: SQLite file by default, PostgreSQL through DATABASE_URL -------------------------
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("ANJIAN_DB_CONN_MAX_AGE", 60))
    if _db["ENGINE"] == "django.db.backends.postgresql" and not _db.get("PASSWORD"):
        _db["PASSWORD"] = env_secret("DATABASE_PASSWORD")
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        _db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    if _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("ANJIAN_DB_PREPARED", True):
        # Lets the few statements of anjian.core.prepared be prepared; Django's own cursors bind
        # on the client and never prepare, whatever the threshold. Off behind a pooler that
        # cannot keep prepared statements (PgBouncer before 1.21 in transaction mode).
        _db.setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and log-in -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked (account, address) pair first
    "anjian.accounts.backends.UsernameOrMobileBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Log-in throttling (django-axes; see anjian/accounts/lockout.py and README 安全): one address may
# fail ANJIAN_LOGIN_MAX_FAILURES times for one account, and ANJIAN_LOGIN_ADDRESS_MAX_FAILURES
# times over all accounts, within ANJIAN_LOGIN_LOCK_MINUTES; then that pair (or that address) waits
# out the period or the town office unlocks the account. An account is never locked as such.
ANJIAN_LOGIN_MAX_FAILURES = env_int("ANJIAN_LOGIN_MAX_FAILURES", 5)
ANJIAN_LOGIN_ADDRESS_MAX_FAILURES = env_int("ANJIAN_LOGIN_ADDRESS_MAX_FAILURES", 30)
ANJIAN_LOGIN_LOCK_MINUTES = env_int("ANJIAN_LOGIN_LOCK_MINUTES", 15)
AXES_FAILURE_LIMIT = ANJIAN_LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = datetime.timedelta(minutes=ANJIAN_LOGIN_LOCK_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "anjian.accounts.lockout.login_key"
AXES_CLIENT_IP_CALLABLE = "anjian.accounts.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "anjian.accounts.lockout.keep_response"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the time shown stays the time it ends
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are in the audit record (auth.login)
AXES_VERBOSE = False
# API bearer tokens.
ANJIAN_API_TOKEN_DAYS = env_int("ANJIAN_API_TOKEN_DAYS", 30)
OTP_TOTP_ISSUER = "安监 anjian"

SESSION_COOKIE_AGE = env_int("ANJIAN_SESSION_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("ANJIAN_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
# The empty choice of every list filter (django-filter's ChoiceFilter and ModelChoiceFilter, in
# every FilterSet of every app) reads 全部 / All instead of "---------".
FILTERS_EMPTY_CHOICE_LABEL = _("All")

# --- Static and uploaded files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("ANJIAN_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/bootstrap", xstatic_bootstrap.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("ANJIAN_MEDIA_ROOT", str(DATA_DIR / "media")))
_storage = env_choice("ANJIAN_FILE_STORAGE", ("filesystem", "s3"), "filesystem")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if _storage == "s3":  # pragma: no cover - needs django-storages and a bucket, documented in README
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("ANJIAN_S3_BUCKET"),
            "endpoint_url": env_str("ANJIAN_S3_ENDPOINT_URL") or None,
            "access_key": env_secret("ANJIAN_S3_ACCESS_KEY"),
            "secret_key": env_secret("ANJIAN_S3_SECRET_KEY"),
        },
    }
# Photos sent by the public with a tip-off are decoded only up to this size (read from the header
# first): decoding costs CPU in proportion, about 3 s for 59 megapixels. Staff uploads: 60.
ANJIAN_TIPOFF_MAX_MEGAPIXELS = env_int("ANJIAN_TIPOFF_MAX_MEGAPIXELS", 20)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Backups (anjian/backups, docs/backups.md) --------------------------------------------------
# Where `manage.py backup` and the nightly job write their archives, and an optional second
# destination (a mounted disk) that receives a copy of each and follows the same retention rule.
ANJIAN_BACKUP_DIR = Path(env_str("ANJIAN_BACKUP_DIR", str(DATA_DIR / "backups")))
ANJIAN_BACKUP_COPY_DIR = env_str("ANJIAN_BACKUP_COPY_DIR", "")
ANJIAN_BACKUP_KEEP = {
    "daily": env_int("ANJIAN_BACKUP_KEEP_DAILY", 7),
    "weekly": env_int("ANJIAN_BACKUP_KEEP_WEEKLY", 5),
    "monthly": env_int("ANJIAN_BACKUP_KEEP_MONTHLY", 12),
}
# The folder of pg_dump/pg_restore when they are not on the PATH (e.g. /usr/lib/postgresql/15/bin).
ANJIAN_PG_BIN_DIR = env_str("ANJIAN_PG_BIN_DIR", "")

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "ANJIAN_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("ANJIAN_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ANJIAN_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("ANJIAN_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("ANJIAN_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("ANJIAN_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("ANJIAN_DEFAULT_FROM_EMAIL", "anjian@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Caches and background tasks --------------------------------------------------------------
REDIS_URL = env_str("ANJIAN_REDIS_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL and not TESTING:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }

_task_backend = env_choice("ANJIAN_TASK_BACKEND", ("database", "rq", "immediate"), "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "rq": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }["immediate" if TESTING else _task_backend],
        "QUEUES": ["default"],
    }
}
if _task_backend == "rq" and not TESTING:  # pragma: no cover - exercised in production set-ups
    INSTALLED_APPS.append("django_tasks_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}

# --- Security ---------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
_https = env_bool("ANJIAN_HTTPS", False)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = env_bool("ANJIAN_SECURE_SSL_REDIRECT", _https)
SECURE_HSTS_SECONDS = env_int("ANJIAN_HSTS_SECONDS", 31536000 if _https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
_behind_proxy = env_bool("ANJIAN_BEHIND_PROXY", False)
# How many reverse proxies append to X-Forwarded-For in front of the app: the client address that
# the audit record and every rate limit use is then read from that header, counted from the right
# (anjian.core.middleware.client_ip). 0: REMOTE_ADDR only (no proxy, or one that hides clients).
ANJIAN_PROXY_COUNT = env_int("ANJIAN_PROXY_COUNT", 1 if _behind_proxy else 0)
if _behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("ANJIAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- The periodic jobs the scheduler enqueues (see anjian/core/scheduler.py) -------------------
ANJIAN_SCHEDULER_TICK_SECONDS = env_int("ANJIAN_SCHEDULER_TICK_SECONDS", 30)


# In development and tests WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
