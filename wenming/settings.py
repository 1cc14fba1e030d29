"""Django settings. SQLite by default; PostgreSQL through ``DATABASE_URL``.

Production mode (``WENMING_PRODUCTION=1``, set by ``wenming serve --production``) turns DEBUG
off and enables the secure settings ``manage.py check --deploy`` asks for. Intranets often run
plain HTTP: ``WENMING_HTTPS=0`` then keeps cookies usable without TLS, and says so.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from wenming.accounts.sso_settings import sso_settings

# Files the product creates (database, uploads, job results, secret key) are its own: 0600 files,
# 0700 directories. The umask covers whatever this process creates from now on.
os.umask(0o077)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("WENMING_DATA_DIR", BASE_DIR.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes")


PRODUCTION = _flag("WENMING_PRODUCTION")
HTTPS = _flag("WENMING_HTTPS", default=True)
DEBUG = not PRODUCTION and _flag("WENMING_DEBUG", default=True)


def _secret_key() -> str:
    """From the environment, else a key generated once and kept in the data directory."""
    if key := os.environ.get("WENMING_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

# The host names the server answers to. Development: this machine only. Production: from
# WENMING_ALLOWED_HOSTS, else the address recorded by the first `wenming serve --production
# --host …` (HOSTS_FILE); with neither the server refuses to start (see wenming.cli).
HOSTS_FILE = DATA_DIR / "allowed_hosts"


def _allowed_hosts() -> list[str]:
    if configured := os.environ.get("WENMING_ALLOWED_HOSTS", "").strip():
        return [h.strip() for h in configured.split(",") if h.strip()]
    if not PRODUCTION:
        return ["localhost", "127.0.0.1", "[::1]"]
    if HOSTS_FILE.exists():
        return HOSTS_FILE.read_text(encoding="utf-8").split()
    return []


ALLOWED_HOSTS = _allowed_hosts()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_ratelimit",
    "wenming.web",
    "wenming.audit",
    "wenming.frameworks",
    "wenming.organizations",
    "wenming.accounts",
    "wenming.imports",
    "wenming.assessments",
    "wenming.attachments",
    "wenming.jobs",
    "wenming.ledger",
    "wenming.notices",
    "wenming.balance",
    "wenming.documents",
    "wenming.rectification",
    "wenming.workdays",
    "wenming.titles",
    "wenming.campaigns",
    "wenming.draws",
    "wenming.onsite",
    "wenming.dashboards",
    "wenming.citizen",
    "wenming.surveys",
    "wenming.webhooks",
    "wenming.api",
    "wenming.review",
]

MIDDLEWARE = [
    "wenming.web.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wenming.accounts.backends.LegacyBackendMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "wenming.web.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wenming.accounts.middleware.ForcePasswordChangeMiddleware",
    "wenming.api.middleware.TokenUseAuditMiddleware",
]

ROOT_URLCONF = "wenming.urls"
WSGI_APPLICATION = "wenming.wsgi.application"

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
                "wenming.web.context.nav",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'wenming.sqlite3'}", conn_max_age=60 if PRODUCTION else 0
    )
}
# Django's engines with work done just before a commit (the audit chain's append, see
# wenming/web/db/__init__.py); the vendor stays "sqlite" / "postgresql"
_ENGINES = {
    "django.db.backends.sqlite3": "wenming.web.db.sqlite3",
    "django.db.backends.postgresql": "wenming.web.db.postgresql",
}
DATABASES["default"]["ENGINE"] = _ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
if DATABASES["default"]["ENGINE"] == "wenming.web.db.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,  # writers wait for each other instead of failing
    }
    # a file, not shared-cache memory, so the browser tests' server threads lock like production
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-wenming.sqlite3")}
    # production keeps each server thread's connection open (opening one and running the
    # pragmas above costs more than many a page's queries); tests and commands open per use
    DATABASES["default"]["CONN_MAX_AGE"] = 600 if PRODUCTION else 0

# Behind a connection pooler in transaction mode (pgbouncer pool_mode=transaction): a
# connection is only ours for one transaction, so no server-side cursors (they live across
# transactions) and no server-side prepared statements (psycopg prepares a query after five
# runs, on a connection the next transaction may not get). See docs/deploy.md.
DB_POOLER = _flag("WENMING_DB_POOLER")
if DB_POOLER and DATABASES["default"]["ENGINE"] == "wenming.web.db.postgresql":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Single sign-on, each way off unless configured (README, Configuration): local passwords first,
# then LDAP/AD (WENMING_LDAP_*), then OIDC (WENMING_OIDC_*); see wenming.accounts.sso_settings.
globals().update(sso_settings(os.environ))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 8 * 3600  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"  # deadlines are Beijing dates
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise expects it even before collectstatic
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "wenming.dashboards.finders.PlotlyFinder",  # plotly.js from the installed plotly package
]
MEDIA_ROOT = Path(os.environ.get("WENMING_MEDIA_ROOT", DATA_DIR / "media"))


def _storage(url: str) -> dict[str, Any]:
    """Stored files, thumbnails and job results: a directory (the default, also a shared mount)
    or an S3-compatible object store, from ``WENMING_STORAGE_URL``:

    - ``s3://KEY:SECRET@host:port/bucket[/prefix]`` (HTTPS) or ``s3+http://…`` (plain HTTP on
      an intranet); ``?region=…`` optional;
    - ``file:///absolute/directory``.
    """
    if not url:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": unquote(parts.path)},
        }
    if parts.scheme not in ("s3", "s3+http", "s3+https"):
        raise ImproperlyConfigured(
            "WENMING_STORAGE_URL 只支持 s3://、s3+http:// 或 file:// 开头的地址"
        )
    bucket, _, prefix = parts.path.lstrip("/").partition("/")
    if not bucket or not parts.hostname:
        raise ImproperlyConfigured("WENMING_STORAGE_URL 需要写明服务器地址和存储桶名称")
    http = parts.scheme == "s3+http"
    query = parse_qs(parts.query)
    port = f":{parts.port}" if parts.port else ""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "access_key": unquote(parts.username or ""),
            "secret_key": unquote(parts.password or ""),
            "bucket_name": bucket,
            "location": prefix.strip("/"),
            "endpoint_url": f"{'http' if http else 'https'}://{parts.hostname}{port}",
            "region_name": query.get("region", ["us-east-1"])[0],
            "use_ssl": not http,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "file_overwrite": True,  # names are content hashes or job ids: same name, same bytes
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,  # a redirected download's link lasts five minutes
            # a file opened through the storage spools to disk past 1 MB, never whole in memory
            "max_memory_size": 1024 * 1024,
        },
    }


STORAGE_URL = os.environ.get("WENMING_STORAGE_URL", "").strip()
# Downloads from an object store: streamed through the app (default; the store may be out of
# the users' reach) or, with WENMING_STORAGE_REDIRECT=1, redirected to a short-lived signed link
STORAGE_REDIRECT = _flag("WENMING_STORAGE_REDIRECT")
STORAGES = {
    "default": _storage(STORAGE_URL),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def _private(*paths: Path) -> None:
    """Close what an earlier version (or another umask) left readable to other accounts."""
    for path in paths:
        if path.is_dir():
            path.chmod(0o700)
        elif path.is_file():
            path.chmod(0o600)


_private(DATA_DIR, MEDIA_ROOT, *(p for p in DATA_DIR.iterdir() if p.is_file()))

# Upload limits: framework files are small; anything larger is refused before parsing.
FRAMEWORK_UPLOAD_MAX_BYTES = int(os.environ.get("WENMING_FRAMEWORK_MAX_BYTES", 5 * 1024 * 1024))
IMPORT_MAX_BYTES = int(os.environ.get("WENMING_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

ATTACHMENT_MAX_BYTES = int(os.environ.get("WENMING_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
# an overdue problem moves one level up its supervising chain after this many days (整改督办)
ESCALATION_GRACE_DAYS = int(os.environ.get("WENMING_ESCALATION_GRACE_DAYS", 3))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads spool to disk

# Background work: Django's task interface on a database-backed queue; the worker is started
# by `wenming serve` (or run alone: `wenming manage db_worker`).

# Counters of the rate limits (django-ratelimit): a cache every process shares. The database
# by default (table created after every migrate, see wenming.web.apps), Redis when
# WENMING_REDIS_URL is set; never a per-process memory cache, which would give each worker its
# own count.
REDIS_URL = os.environ.get("WENMING_REDIS_URL", "").strip()
CACHES = {
    "default": (
        {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "wenming"}
        if REDIS_URL
        else {"BACKEND": "wenming.web.cache.AtomicDatabaseCache", "LOCATION": "wenming_cache"}
    )
}
RATELIMIT_USE_CACHE = "default"
# answer sheets one address may post in an hour (a NAT gateway gets more from an allowance)
SURVEY_POSTS_PER_HOUR = int(os.environ.get("WENMING_SURVEY_POSTS_PER_HOUR", 300))
# queries written once per key (wenming.web.db.prepared.WrittenPerKey) are written again on every
# use and compared: a key that misses what its query depends on fails loudly (not in production)
PREPARED_CHECK = _flag("WENMING_PREPARED_CHECK", default=not PRODUCTION)
# Each person's to-do list (待办), asked for by the home page, /todo/ and the rectification list,
# is kept this many seconds in a cache of its own (its own table, so that these entries never
# cull the rate-limit counters) and dropped at once when any audited change or notice commits
# (wenming/notices/todo.py). 0: computed on every visit (the default outside production).
TODO_CACHE_SECONDS = int(os.environ.get("WENMING_TODO_CACHE_SECONDS", 30 if PRODUCTION else 0))
TODO_CACHE: dict[str, Any] = (
    {**CACHES["default"], "KEY_PREFIX": "wenming-todo"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "wenming_cache_todo",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
)
CACHES["todo"] = TODO_CACHE
if REDIS_URL:
    # sessions read from Redis, written through to the database (a Redis restart logs no one out)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Django's database sessions, read with a query the ORM writes once (wenming/web/db/sessions.py)
    SESSION_ENGINE = "wenming.web.db.sessions"

# Background work: Django's task interface. Without Redis, a database-backed queue whose worker
# `wenming serve` starts (or `wenming worker` alone); with WENMING_REDIS_URL, RQ on Redis
# (WENMING_TASK_QUEUE=db keeps the database queue), run by `wenming worker` on any host.
TASK_QUEUE = os.environ.get("WENMING_TASK_QUEUE", "rq" if REDIS_URL else "db").strip()
if TASK_QUEUE not in ("db", "rq"):
    raise ImproperlyConfigured("WENMING_TASK_QUEUE 只能是 db 或 rq")
if TASK_QUEUE == "rq" and not REDIS_URL:
    raise ImproperlyConfigured("WENMING_TASK_QUEUE=rq 需要同时设置 WENMING_REDIS_URL")
if TASK_QUEUE == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {
        "default": {
            "BACKEND": os.environ.get("WENMING_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
        }
    }
# Calls one API token may make per minute (django-ratelimit, the shared cache above).
API_REQUESTS_PER_MINUTE = int(os.environ.get("WENMING_API_PER_MINUTE", "600") or "600")

# E-mail digest of unread notices (wenming manage notices_digest, run hourly or daily by the
# host's timer): only when an SMTP server is configured. Links in mails start with SITE_URL.
EMAIL_DIGEST = bool(os.environ.get("WENMING_EMAIL_HOST", "").strip())
if EMAIL_DIGEST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["WENMING_EMAIL_HOST"].strip()
    EMAIL_PORT = int(os.environ.get("WENMING_EMAIL_PORT", "25") or "25")
    EMAIL_HOST_USER = os.environ.get("WENMING_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("WENMING_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("WENMING_EMAIL_TLS", "0") == "1"
    EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("WENMING_EMAIL_FROM", "wenming@localhost")
SITE_URL = os.environ.get("WENMING_SITE_URL", "").strip().rstrip("/")
# deadline reminders (wenming manage deadline_reminders, daily): this many working days ahead
REMINDER_WORKING_DAYS = int(os.environ.get("WENMING_REMINDER_DAYS", 3))
# the cache above counts atomically (tested); django-ratelimit only knows memcached and Redis
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "wenming.web.errors.csrf_failure"

# Content-Security-Policy (django-csp): everything from the product itself, no inline script or
# style attribute (behaviour lives in static JS: wenming/web/static/wenming/wenming.js), no other
# host. The allowances are for plotly.js (dashboards), as narrow as it permits:
# - style-src: two exact <style> elements plotly.js inserts, by their SHA-256 (not
#   'unsafe-inline'): the empty element it then fills through the CSSOM (insertRule, which CSP
#   does not restrict) and the fixed map-trace stylesheet the bundle adds when it loads. The
#   hashes belong to the pinned plotly; tests/dashboards/test_browser.py fails if they change.
# - img-src data: and blob: for its "download as PNG" button (the image is made in the browser).
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty <style>
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # maplibre's stylesheet
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *PLOTLY_STYLE_HASHES],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if PRODUCTION:
    if HTTPS:
        SECURE_SSL_REDIRECT = _flag("WENMING_SSL_REDIRECT", default=True)
        SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        SESSION_COOKIE_SECURE = True
        CSRF_COOKIE_SECURE = True
        SECURE_HSTS_SECONDS = 31536000
        SECURE_HSTS_INCLUDE_SUBDOMAINS = True
        SECURE_HSTS_PRELOAD = True
    else:
        # A plain-HTTP intranet: secure cookies would never be sent back, so these checks
        # cannot pass by design; the deployer chose this with WENMING_HTTPS=0.
        SILENCED_SYSTEM_CHECKS += [
            "security.W004",
            "security.W008",
            "security.W012",
            "security.W016",
        ]

# Logs: one line per request with its id (wenming.web.logs); JSON lines in production (for a
# log collector), plain text in development. WENMING_LOG_FORMAT=json|text overrides.
LOG_FORMAT = os.environ.get("WENMING_LOG_FORMAT", "json" if PRODUCTION else "text").strip()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "wenming.web.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "wenming.web.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # the access lines: production only (development has runserver's own)
        "wenming.request": {"level": "INFO" if PRODUCTION else "WARNING"},
    },
}

# hosts webhooks may be sent to: comma-separated names or *.suffix (empty: any host)
WEBHOOK_HOSTS = [
    h.strip().lower().rstrip(".")
    for h in os.environ.get("WENMING_WEBHOOK_HOSTS", "").split(",")
    if h.strip()
]
