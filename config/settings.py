"""Django settings of wangge, read from the environment (see README: Configuration)."""

from __future__ import annotations

import glob
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config import pgcluster, redisserver
from config.env import database_from_url, env_bool, env_int, env_list, env_str
from config.ratelimit_rules import DEFAULT_RATE_LIMITS, parse_rate_limits

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = pgcluster.VAR

# WANGGE_ENV=production turns off every local-use default.
PRODUCTION = env_str("WANGGE_ENV", "local") == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when WANGGE_ENV=production")
    # A per-checkout key kept in var/ so sessions survive restarts in local use.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])


def _refuse_unsafe_production() -> None:
    """Stop a production server whose settings only warn in ``check --deploy``."""
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when WANGGE_ENV=production (unset DEBUG "
                                   "or set DEBUG=0): it shows settings and code to anyone")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must name the server's host names when "
                                   "WANGGE_ENV=production, e.g. ALLOWED_HOSTS=wangge.gov.internal")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or \
            SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for production: use at least 50 random characters, e.g. "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'")


if PRODUCTION:
    _refuse_unsafe_production()


def _library(env_name: str, pattern: str) -> str | None:
    """Locate a shared library for GeoDjango when the unversioned .so link is absent."""
    if os.environ.get(env_name):
        return os.environ[env_name]
    found = sorted(glob.glob(pattern))
    return found[0] if found else None


GDAL_LIBRARY_PATH = _library("GDAL_LIBRARY_PATH", "/usr/lib/*-linux-gnu/libgdal.so*")
GEOS_LIBRARY_PATH = _library("GEOS_LIBRARY_PATH", "/usr/lib/*-linux-gnu/libgeos_c.so*")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # The job queue lives in PostgreSQL (no new server): its tables come with migrations.
    "procrastinate.contrib.django",
    "geo",
    "importers",
    "webmap",
    "tiles",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    # Static files from the app itself, so a bare gunicorn serves complete pages.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "config.ratelimit.RateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # ModelBackend that refuses accounts locked after repeated failed logins (geo/auth.py).
    "geo.auth.LockoutModelBackend",
    "geo.auth.RoleBackend",  # a staff account's role grants its permissions (geo/roles.py)
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "webmap.context.demo_banner",
                "webmap.context.map_config",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
elif PRODUCTION:
    # The private cluster is for one machine's local use; production names its database.
    raise ImproperlyConfigured("DATABASE_URL must be set when WANGGE_ENV=production, e.g. "
                               "postgres://wangge:PASSWORD@db.internal:5432/wangge")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.contrib.gis.db.backends.postgis",
            "NAME": pgcluster.DB_NAME,
            "USER": pgcluster.APP_USER,  # not the cluster's superuser
            "HOST": str(pgcluster.SOCKET_DIR),
            "PORT": str(pgcluster.port_from_env()),
            "CONN_MAX_AGE": env_int("WANGGE_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }

# No statement of a web request may hold a connection longer than this (0: no limit);
# manage.py sets 0 for commands, whose imports and reports run long on purpose.
STATEMENT_TIMEOUT_MS = env_int("WANGGE_STATEMENT_TIMEOUT_MS", 20000)
if STATEMENT_TIMEOUT_MS:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (_options.get("options", "") +
                           f" -c statement_timeout={STATEMENT_TIMEOUT_MS}").strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves the apps' static folders directly (no collectstatic step to forget).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Rendered vector tiles, shared by every worker; edits delete exactly the tiles they touch.
TILE_CACHE_DIR = Path(env_str("WANGGE_TILE_CACHE", str(VAR_DIR / "tilecache")))

# Files uploaded on the import page (/data/import/), kept so a run can be re-checked and
# traced by its SHA-256; the largest file accepted there, in megabytes.
IMPORT_DIR = Path(env_str("WANGGE_IMPORT_DIR", str(VAR_DIR / "imports")))
IMPORT_MAX_BYTES = env_int("WANGGE_IMPORT_MAX_MB", 200) * 1024 * 1024

# Who may read the OpenAPI schema and its Swagger UI: public, staff (logged-in staff) or off.
API_DOCS = env_str("WANGGE_API_DOCS", "staff" if PRODUCTION else "public")
if API_DOCS not in {"public", "staff", "off"}:
    raise ImproperlyConfigured(f"WANGGE_API_DOCS={API_DOCS!r} should be public, staff or off")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "webmap.api.errors.exception_handler",
    # Session logins only: HTTP Basic would take a password on every API call, with no CSRF
    # check, no rate limit and no lockout.
    "DEFAULT_AUTHENTICATION_CLASSES": ["webmap.api.permissions.SessionLogin"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"] + (
        [] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    # Public layers, nearest and search are open to residents; staff views set their own
    # permission classes (api/permissions.StaffInScope) and check scopes.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "wangge API",
    "DESCRIPTION": "网格化管理与党群服务地图 grid management and service-map API",
    "VERSION": "1",
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several "kind" fields choose from different sets: each set gets its own name.
    "ENUM_NAME_OVERRIDES": {"ListKindEnum": "geo.analysis.matching.LIST_KINDS"},
}

# Online basemaps are off by default (intranet): a comma list of tianditu, osm, amap turns
# them on as switchable extras; Tianditu needs its key.
ONLINE_BASEMAPS = env_list("WANGGE_ONLINE_BASEMAPS", [])
TIANDITU_KEY = env_str("TIANDITU_KEY", "")
LOCALE_PATHS = [BASE_DIR / "webmap" / "locale"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/start/"  # webmap.views.landing: the page the role may open

# Centre of new map widgets when an object has no geometry yet (demo district).
MAP_DEFAULT_CENTER = (104.10, 30.62)

# Sessions end after a working day, and when the browser closes on a shared office PC.
SESSION_COOKIE_AGE = env_int("WANGGE_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_bool("WANGGE_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request bodies: a community's whole working copy of grids fits well inside 10 MB; no page
# takes file uploads, and any that does later gets at most WANGGE_UPLOAD_MAX_FILES files.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("WANGGE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("WANGGE_UPLOAD_MAX_FILES", 5)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# Public endpoints are limited per client: requests per window (seconds); see config/ratelimit.py.
RATE_LIMITS = parse_rate_limits(env_str("WANGGE_RATE_LIMITS", DEFAULT_RATE_LIMITS))
RATE_LIMIT_BEHIND_PROXY = env_bool("WANGGE_BEHIND_PROXY", False)
# Counters (rate limits, failed logins) live in Redis, shared by every worker and never
# evicted (config/redisserver.py); the private one under var/ unless REDIS_URL names one.
if PRODUCTION and not os.environ.get("REDIS_URL"):
    raise ImproperlyConfigured("REDIS_URL must be set when WANGGE_ENV=production, e.g. "
                               "redis://redis.internal:6379/0 (rate limits and login "
                               "lockouts are counted there, across workers)")
REDIS_URL = env_str("REDIS_URL", redisserver.url())
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": REDIS_URL, "KEY_PREFIX": "wangge",
                      "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2}}}

# Failed logins per user name before the account is locked, and for how long (seconds;
# 0 = until an administrator unlocks it in /admin/ or with `manage.py account --unlock`).
LOGIN_MAX_FAILURES = env_int("WANGGE_LOGIN_MAX_FAILURES", 10)
LOGIN_LOCK_SECONDS = env_int("WANGGE_LOGIN_LOCK_SECONDS", 900)

# Background jobs (procrastinate, in PostgreSQL): a worker whose heartbeat is older than
# this many seconds is taken for dead and its running job is run again by another worker.
JOBS_STALLED_AFTER_S = env_int("WANGGE_JOBS_STALLED_AFTER_S", 30)
# Finished jobs (and their files) are deleted after this many days.
JOBS_KEEP_DAYS = env_int("WANGGE_JOBS_KEEP_DAYS", 14)
PROCRASTINATE_READONLY_MODELS = True

# The admin's own "revert" bypasses scope and version checks; /history/ reverts instead.
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Every unmasked view of members' personal data is also written to the log (and the table).
    "loggers": {"wangge.personal_data": {"handlers": ["console"], "level": "INFO",
                                         "propagate": False}},
}

# Debian 12 ships GDAL 3.6, which cannot block GDAL's own file/network access for
# spatial references (Django asks for 3.9). Imports parse CRS strings with pyproj,
# and intranet deployments have no outside network, so the warning is silenced.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
