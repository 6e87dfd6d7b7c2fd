"""Nexus settings: one module, driven by environment variables.

Every value has a development default so that `make run` needs no server.
Setting `NEXUS_ENV=production` turns the defaults strict, and the process
refuses to start with anything insecure left in place.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

# Lets generic admin and DRF classes be subscripted for mypy at runtime too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


NEXUS_ENV = env_str("NEXUS_ENV", "development")
if NEXUS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("NEXUS_ENV must be 'development' or 'production'.")
IS_PRODUCTION = NEXUS_ENV == "production"

# --- Core -------------------------------------------------------------------

DEVELOPMENT_SECRET_KEY = "nexus-development-only-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if IS_PRODUCTION and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "Production needs its own SECRET_KEY of at least 50 characters; "
        "the development key is refused."
    )

# DEBUG stays off by default so that even development answers in the API's
# JSON error shape rather than Django's HTML debug pages.
DEBUG = env_bool("DEBUG", False)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "strawberry_django",
    "nexus.core",
    "nexus.accounts",
    "nexus.knowledge",
    "nexus.challenges",
    "nexus.notifications",
    "nexus.collaboration",
    "nexus.journeys",
    "nexus.search",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "nexus.core.middleware.RequestIdMiddleware",
    "nexus.core.middleware.ReplicaPinMiddleware",
    # Headers every response carries, a cached one, a 304 and a 413 included:
    # everything that answers on its own sits below these.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nexus.core.middleware.BodySizeLimitMiddleware",
    "nexus.core.middleware.AnonymousReadCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "nexus.urls"
WSGI_APPLICATION = "nexus.wsgi.application"
ASGI_APPLICATION = "nexus.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CSRF_FAILURE_VIEW = "nexus.core.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "nexus" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Development serves static files straight from the apps, so `make run`
# needs no collectstatic; production serves the collected, hashed copies.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
warnings.filterwarnings("ignore", message="No directory at")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Database: SQLite in var/ by default, PostgreSQL when DATABASE_URL is set --

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'nexus.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work beside a writer; IMMEDIATE transactions take the
    # write lock up front, and the timeout makes writers queue, not fail.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000;"
        ),
    }
else:
    # Reusing connections saves a TCP and auth round trip per request; Django
    # pings a reused one before its first query of a request, so a connection the
    # server dropped is replaced rather than failing the request.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Parameters bound on the server let psycopg prepare a statement after its
    # fifth run on a connection, so hot queries skip planning (measured here:
    # 0.9 ms to 0.55 ms for the challenge list's page query). Turn it off behind
    # a transaction-pooling PgBouncer.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 5}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# A read replica: reads go there, except a writer's own for REPLICA_PIN_SECONDS.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["nexus.core.db_router.PrimaryReplicaRouter"]
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 10)

# `manage.py load_demo`: each app's demo loader, in the order they build on each
# other (accounts makes the people the rest write as).
NEXUS_DEMO_LOADERS = [
    "nexus.accounts.demo.load_demo",
    "nexus.knowledge.demo.load_demo_knowledge",
    "nexus.challenges.demo.load_demo_challenges",
    "nexus.collaboration.demo.load_demo_collaboration",
    "nexus.journeys.demo.load_demo_journeys",
]

# --- Cache: Redis when REDIS_URL is set, process memory otherwise -----------

REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "nexus"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # A cache outage degrades speed, never availability.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# Hot anonymous reads served from the cache (nexus.core.cache); off only to measure.
NEXUS_CACHE_ENABLED = not env_bool("NEXUS_CACHE_DISABLED", False)

# --- Channel layer: live WebSocket pushes (Redis on the stack, memory otherwise) --

CHANNEL_LAYERS: dict[str, dict[str, Any]]
# Its own Redis database, so clearing the cache never drops live subscriptions.
CHANNEL_LAYER_URL = env_str("CHANNEL_LAYER_URL") or (
    urlsplit(REDIS_URL)._replace(path="/1").geturl() if REDIS_URL else ""
)
if CHANNEL_LAYER_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # No socket timeout: the layer's blocking receive waits as long as a
                # socket is idle, and a timeout would kill every quiet connection.
                "hosts": [{"address": CHANNEL_LAYER_URL, "socket_timeout": None}],
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "nexus"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth: email login, Argon2 hashes, JWT for API clients ------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- REST API ---------------------------------------------------------------

MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "nexus.accounts.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "nexus.core.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "nexus.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "nexus.core.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("THROTTLE_AUTH_RATE", "30/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Nexus API",
    "DESCRIPTION": (
        "The learning hub's API: reference guide, challenges and solutions, "
        "collaboration and learning journeys. Authenticate with "
        "`Authorization: Bearer <access>` from `POST /api/v1/auth/token/`. "
        "Lists are cursor-paginated (`?cursor=`, `?page_size=` up to 100). "
        "Every error has the shape `{type, detail, errors, request_id}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "GuideStatusEnum": "nexus.knowledge.models.Guide.Status",
        "ChallengeStatusEnum": "nexus.challenges.models.Challenge.Status",
        "GuideKindEnum": "nexus.knowledge.models.Guide.Kind",
        "ChannelKindEnum": "nexus.collaboration.models.Channel.Kind",
    },
}

# --- CORS: the frontend learners' origins -----------------------------------

CORS_ALLOWED_ORIGINS = env_list(
    "CORS_ALLOWED_ORIGINS",
    [] if IS_PRODUCTION else ["http://localhost:3000", "http://localhost:5173"],
)
CORS_URLS_REGEX = r"^/(api|graphql)/.*$"

# --- Celery: RabbitMQ in the stack, eager in process when no broker is set --

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only once done, and requeued if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a request must never hang on a broker that is down: the
# connection and each publish give up quickly, and the outbox keeps the event.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "confirm_publish": True,
    "confirm_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
NEXUS_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Outbox events published by `manage.py relay_outbox --listen`, which each commit
# wakes, rather than by the request after its commit: the request then waits on
# neither the broker's confirm nor a second commit (notifications/events.py).
NEXUS_OUTBOX_RELAY = env_bool("OUTBOX_RELAY", False)
if NEXUS_OUTBOX_RELAY and not (IS_POSTGRES and CELERY_BROKER_URL):
    raise ImproperlyConfigured("OUTBOX_RELAY needs PostgreSQL and CELERY_BROKER_URL.")
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Queues split by kind, so slow sends never hold up fast notifications. A
# prefix lets a test run, or a second deployment, use queues of its own.
CELERY_QUEUE_PREFIX = env_str("CELERY_QUEUE_PREFIX")
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"
CELERY_TASK_ROUTES = {
    "notifications.process_event": {"queue": f"{CELERY_QUEUE_PREFIX}events"},
    "notifications.process_events": {"queue": f"{CELERY_QUEUE_PREFIX}events"},
    "notifications.send_deliveries": {"queue": f"{CELERY_QUEUE_PREFIX}deliveries"},
    "notifications.relay_outbox": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
    "notifications.retry_due_deliveries": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
    "notifications.send_digests": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
    "notifications.notify_unanswered": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
    "notifications.clean_up": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
    "nexus.accounts.tasks.flush_expired_tokens_task": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
    "challenges.flush_views": {"queue": f"{CELERY_QUEUE_PREFIX}periodic"},
}
# Declared, so a worker consumes them all unless told otherwise (-Q).
CELERY_TASK_QUEUES = [
    Queue(f"{CELERY_QUEUE_PREFIX}{name}")
    for name in ("default", "events", "deliveries", "periodic")
]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "accounts.flush-expired-tokens": {
        "task": "nexus.accounts.tasks.flush_expired_tokens_task",
        "schedule": timedelta(hours=24),
    },
    "challenges.flush-views": {
        "task": "challenges.flush_views",
        "schedule": timedelta(seconds=60),
    },
    "notifications.relay-outbox": {
        "task": "notifications.relay_outbox",
        "schedule": timedelta(seconds=30),
    },
    "notifications.retry-due-deliveries": {
        "task": "notifications.retry_due_deliveries",
        "schedule": timedelta(seconds=30),
    },
    "notifications.send-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(minute=0),
    },
    "notifications.notify-unanswered": {
        "task": "notifications.notify_unanswered",
        "schedule": timedelta(minutes=15),
    },
    "notifications.clean-up": {
        "task": "notifications.clean_up",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- Notifications and deliveries ---------------------------------------------

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
NEXUS_DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 6)
NEXUS_DELIVERY_BACKOFF_BASE = float(env_int("DELIVERY_BACKOFF_BASE_SECONDS", 30))
NEXUS_DELIVERY_BACKOFF_MAX = float(env_int("DELIVERY_BACKOFF_MAX_SECONDS", 3600))
# A claim older than this belongs to a worker that died mid-send.
NEXUS_DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 300)
NEXUS_SMTP_TIMEOUT = 10
NEXUS_WEBHOOK_TIMEOUT = 5
# Only tests that talk to local fake servers turn this on.
NEXUS_WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", False)
if IS_PRODUCTION and NEXUS_WEBHOOKS_ALLOW_PRIVATE:
    raise ImproperlyConfigured("WEBHOOKS_ALLOW_PRIVATE is for tests, never production.")
NEXUS_DIGEST_HOUR = env_int("DIGEST_HOUR", 8)
NEXUS_UNANSWERED_AFTER_HOURS = env_int("UNANSWERED_AFTER_HOURS", 24)
NEXUS_NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90)

# --- Email: console in development, SMTP by EMAIL_URL -----------------------

EMAIL_URL = env_str("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Nexus <no-reply@nexus.local>")
_email = urlsplit(EMAIL_URL)
if _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email.scheme == "locmem":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
elif _email.scheme in {"smtp", "smtp+tls", "smtps"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 10
else:
    raise ImproperlyConfigured(
        "EMAIL_URL must start with console://, locmem://, smtp://, smtp+tls:// or smtps://."
    )

# --- Security headers -------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if IS_PRODUCTION:
    # TLS ends at nginx, which says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Logging: JSON lines carrying the request id ----------------------------

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "nexus.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Requests are logged once, by nexus.request, with their timing.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}
