"""One settings module, driven by the environment (see .env.example for every variable).

Defaults serve a laptop: SQLite, DEBUG on, localhost. With DEBUG off the production
hardening switches on and the values that must not have a default become mandatory.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-dev-only-not-for-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accessportal.apps.AccessPortalConfig",
    "chat.apps.ChatConfig",
    "monitor.apps.MonitorConfig",
    "accounts.apps.AccountsConfig",
    "sso.apps.SsoConfig",
    "api.apps.ApiConfig",
    "alerts.apps.AlertsConfig",
    "prompts.apps.PromptsConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # naturaltime's wording, translated by Django itself
    "axes",
    "csp",
    "mozilla_django_oidc",
    "ninja",  # the API's bundled Swagger UI (templates and static files)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Before anything reads the session or the user: the database down answers 503.
    "accessportal.database_outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the language cookie, else Accept-Language, else LANGUAGE_CODE...
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ...then a signed-in user's saved language and time zone win (accounts/middleware.py).
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "accessportal.urls"
WSGI_APPLICATION = "accessportal.wsgi.application"

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
                "accessportal.context_processors.section",
                "monitor.context_processors.health_counts",
                "sso.context_processors.sso",
                "accessportal.context_processors.expiring",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
    # so two writers queue on the busy timeout instead of failing with "database is locked"
    # when a read transaction tries to upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Keep connections between requests (also for SQLite: closing the last connection to a
# WAL database checkpoints it, some 10 ms on every request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database host answers 503 within seconds instead of holding a worker
    # thread for the operating system's TCP timeout (minutes).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour now: a bare host means https

# --- Cache: local memory on a laptop, Redis when several hosts must agree -----------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    _prefix = env.str("CACHE_KEY_PREFIX", default="")
    _redis = {
        # Redis down is not an error: accessportal/fallback_cache.py answers from a fallback.
        "BACKEND": "accessportal.fallback_cache.FallbackRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            # A dead Redis costs the first request after each retry interval at most this,
            # then the fallback answers at once.
            "socket_connect_timeout": 0.5,
            "socket_timeout": 2,
            # A pooled connection that Redis closed (a restart) is retried once at once,
            # instead of counting as an outage.
            "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        },
    }
    CACHES = {
        # Several portals (or a test run) can share one Redis under different prefixes.
        "default": _redis | {"KEY_PREFIX": _prefix, "FALLBACK": "local-memory"},
        "sessions": _redis | {"KEY_PREFIX": f"{_prefix}:sessions", "FALLBACK": "none"},
    }
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions are read from the shared cache when there is one (one query less per request),
# written through to the database. Never from a per-process cache: a sign-out in one
# worker would not reach the others. While Redis is down they come from the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "accessportal.sessions"  # Django's database sessions, read without the ORM
)

# --- Auth -----------------------------------------------------------------------------------
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
# --- Single sign-on (OpenID Connect; sso/) ----------------------------------------------
# The provider is found from its issuer URL (/.well-known/openid-configuration).
PORTAL_OIDC_ISSUER = env.str("PORTAL_OIDC_ISSUER", default="").rstrip("/")
PORTAL_OIDC_PROVIDER_NAME = env.str("PORTAL_OIDC_PROVIDER_NAME", default="single sign-on")
PORTAL_OIDC_USERNAME_CLAIM = env.str("PORTAL_OIDC_USERNAME_CLAIM", default="preferred_username")
PORTAL_OIDC_NAME_CLAIM = env.str("PORTAL_OIDC_NAME_CLAIM", default="name")
PORTAL_OIDC_GROUPS_CLAIM = env.str("PORTAL_OIDC_GROUPS_CLAIM", default="groups")
PORTAL_OIDC_CLOCK_SKEW = env.int("PORTAL_OIDC_CLOCK_SKEW", default=60)
# Passwords of this portal; off leaves single sign-on and the break-glass command.
PORTAL_LOCAL_LOGIN = env.bool("PORTAL_LOCAL_LOGIN", default=True)
OIDC_RP_CLIENT_ID = env.str("PORTAL_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("PORTAL_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("PORTAL_OIDC_SCOPES", default="openid email profile groups")
OIDC_RP_SIGN_ALGO = env.str("PORTAL_OIDC_SIGN_ALGO", default="RS256")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for signing out at the provider
OIDC_TIMEOUT = env.int("PORTAL_OIDC_TIMEOUT", default=10)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
if PORTAL_OIDC_ISSUER and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured("PORTAL_OIDC_ISSUER needs PORTAL_OIDC_CLIENT_ID and _SECRET.")
if not PORTAL_LOCAL_LOGIN and not PORTAL_OIDC_ISSUER:
    raise ImproperlyConfigured("PORTAL_LOCAL_LOGIN=false needs single sign-on configured.")

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Second (sso/views.py signs break-glass links in with it): passwords, or, with local
    # passwords off, a backend that takes none but keeps sessions working.
    "django.contrib.auth.backends.ModelBackend"
    if PORTAL_LOCAL_LOGIN
    else "sso.backends.NoPasswordBackend",
    *(["sso.backends.PortalOIDCBackend"] if PORTAL_OIDC_ISSUER else []),
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accessportal:workspace_list"
LOGOUT_REDIRECT_URL = "login"

# How long a password confirmation unlocks a key reveal.
PORTAL_REAUTH_SECONDS = env.int("PORTAL_REAUTH_SECONDS", default=600)

# --- Login throttling (django-axes) ---------------------------------------------------------
# Failures are counted per (username, client address): one attacker cannot lock a user out
# from everywhere, and one address cannot guess one password forever. The client address is
# REMOTE_ADDR unless PORTAL_TRUSTED_PROXY_COUNT says how many proxies append to
# X-Forwarded-For (accessportal/clientip.py).
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
if PORTAL_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("PORTAL_TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "accessportal.clientip.client_ip"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("PORTAL_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PORTAL_LOGIN_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# Lazy: the 429 answer is worded in the language of the request that tripped it.
AXES_COOLOFF_MESSAGE = format_lazy(
    _(
        "Too many failed sign-ins for this account from your address. "
        "Try again in {minutes} minutes, or ask an administrator to unlock it."
    ),
    minutes=int(AXES_COOLOFF_TIME.total_seconds() // 60),
)
# With Redis the counters live in the shared cache, where the design keeps throttles:
# every host counts the same failures, they expire by themselves after the cool-off, and
# a flood of bad passwords costs no database writes. Without Redis the local-memory cache
# is private to each worker process, so the database is the only place the workers share.
# Lockouts are logged as warnings; the per-login info lines and the start banner are noise.
AXES_VERBOSE = False
AXES_HANDLER = (
    "axes.handlers.cache.AxesCacheHandler"
    if REDIS_URL
    else "axes.handlers.database.AxesDatabaseHandler"
)

# --- Secrets at rest --------------------------------------------------------------------
# Comma-separated urlsafe-base64 32-byte keys: the first encrypts, all decrypt.
# Separate from SECRET_KEY so that rotating one never touches the other.
PORTAL_ENCRYPTION_KEYS = env.list("PORTAL_ENCRYPTION_KEYS", default=[])
# Development only: where a key is generated on first start when none is configured.
PORTAL_ENCRYPTION_KEY_FILE = Path(
    env.str("PORTAL_ENCRYPTION_KEY_FILE", default=str(BASE_DIR / ".portal-encryption-key"))
)
if not DEBUG and not PORTAL_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("PORTAL_ENCRYPTION_KEYS must be set when DEBUG is off.")

# --- Internationalisation -----------------------------------------------------------------
# English and Simplified Chinese (the platform console's own words: locale/GLOSSARY.md).
# A signed-in user's saved language wins, else the language cookie, else Accept-Language,
# else LANGUAGE_CODE. Catalogs: `python manage.py refresh_catalogs` (README, Contributing).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language cookie outlives a sign-out, so the sign-in page keeps the chosen language.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
# The database and the server stay in UTC; each request runs in its reader's zone
# (accounts/middleware.py): the saved one, else the browser's, else TIME_ZONE.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
# Only same-origin files: the templates carry no inline script or style, so neither
# 'unsafe-inline' nor nonces are needed. connect-src 'self' covers the playground stream.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
if PORTAL_OIDC_ISSUER:
    # Signing out redirects the sign-out form's POST on to the provider's end-session page,
    # and browsers hold redirects of a form to form-action too.
    _issuer = urlsplit(PORTAL_OIDC_ISSUER)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(
        f"{_issuer.scheme}://{_issuer.netloc}"
    )
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The CSRF cookie stays readable by script (Django's default): the pages carry the token in
# their forms anyway, so HttpOnly on it would protect nothing (Django's CSRF docs).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading puts the whole domain into the browsers' built-in HTTPS-only list and
        # is hard to undo: the operator opts in with SECURE_HSTS_PRELOAD=true, so the
        # check that merely nags about it (security.W021) is silenced until then.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Load balancers probe the workers over plain HTTP: health answers must not redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Trust X-Forwarded-Proto only when the operator says the proxy in front sets it.
if env.bool("PORTAL_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging: to stderr, never a secret (keys pass only through sensitive_variables) -----
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO").upper()},
}

# --- Playground: the one outbound client and its limits (chat/upstream.py) ---------------
PORTAL_UPSTREAM_CONNECT_TIMEOUT = env.float("PORTAL_UPSTREAM_CONNECT_TIMEOUT", default=5.0)
PORTAL_UPSTREAM_READ_TIMEOUT = env.float("PORTAL_UPSTREAM_READ_TIMEOUT", default=60.0)
PORTAL_UPSTREAM_DEADLINE = env.float("PORTAL_UPSTREAM_DEADLINE", default=120.0)
PORTAL_UPSTREAM_MAX_BYTES = env.int("PORTAL_UPSTREAM_MAX_BYTES", default=4 * 1024 * 1024)
# Loopback targets are what the laptop demo and its simulator use; a production portal
# calls the platform's public endpoints and should refuse them (and private ranges,
# unless edge nodes sit on a private network the portal can reach).
PORTAL_UPSTREAM_ALLOW_LOOPBACK = env.bool("PORTAL_UPSTREAM_ALLOW_LOOPBACK", default=DEBUG)
PORTAL_UPSTREAM_ALLOW_PRIVATE = env.bool("PORTAL_UPSTREAM_ALLOW_PRIVATE", default=False)
# Test calls per user per minute.
PORTAL_PLAYGROUND_RATE_LIMIT = env.int("PORTAL_PLAYGROUND_RATE_LIMIT", default=30)
# REST API: key fetches per token per minute (GET …/accesses/{code}/secret).
PORTAL_API_SECRET_FETCH_LIMIT = env.int("PORTAL_API_SECRET_FETCH_LIMIT", default=10)
# How much of a prompt a TestCall keeps: 0 keeps none.
PORTAL_TESTCALL_PROMPT_CHARS = env.int("PORTAL_TESTCALL_PROMPT_CHARS", default=200)

# --- Monitor: the long-running process that probes every running deployment (monitor/) --
# Seconds between two probes of a deployment (each version it serves, one small call).
PORTAL_MONITOR_INTERVAL = env.int("PORTAL_MONITOR_INTERVAL", default=300)
# Probes running at once in one monitor process.
PORTAL_MONITOR_CONCURRENCY = env.int("PORTAL_MONITOR_CONCURRENCY", default=8)
# Seconds one probe may take, connection included, before it counts as failed.
PORTAL_MONITOR_PROBE_DEADLINE = env.float("PORTAL_MONITOR_PROBE_DEADLINE", default=10.0)
# A deployment answering slower than this (ms) is degraded.
PORTAL_MONITOR_SLOW_MS = env.int("PORTAL_MONITOR_SLOW_MS", default=5000)
# Consecutive failed passes before a deployment is down.
PORTAL_MONITOR_DOWN_AFTER = env.int("PORTAL_MONITOR_DOWN_AFTER", default=2)
# Days probes are kept; the monitor deletes older ones itself.
PORTAL_MONITOR_RETENTION_DAYS = env.int("PORTAL_MONITOR_RETENTION_DAYS", default=30)
# Seconds a claimed deployment stays reserved to the monitor that claimed it; a monitor
# that dies loses its claims after this. 0: 12 times the probe deadline, plus 30 s.
PORTAL_MONITOR_CLAIM_SECONDS = env.int("PORTAL_MONITOR_CLAIM_SECONDS", default=0)
# Seconds between two looks for due work while the monitor waits (Check now latency).
PORTAL_MONITOR_TICK = env.float("PORTAL_MONITOR_TICK", default=1.0)
for _name in ("INTERVAL", "CONCURRENCY", "DOWN_AFTER", "RETENTION_DAYS"):
    if globals()[f"PORTAL_MONITOR_{_name}"] < 1:
        raise ImproperlyConfigured(f"PORTAL_MONITOR_{_name} must be 1 or more.")
if PORTAL_MONITOR_PROBE_DEADLINE <= 0 or PORTAL_MONITOR_TICK <= 0:
    raise ImproperlyConfigured("PORTAL_MONITOR_PROBE_DEADLINE and _TICK must be positive.")
# --- Notifications (alerts/): email, webhooks, retries ----------------------------------
# Django's mail settings. The console backend prints mail (the laptop default and the
# demo); production sets the SMTP backend and its server.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="access-portal@localhost")
# Where the portal is reached, for the links in notifications (empty: no link).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
# Tries per delivery before it is marked failed; the first retry waits
# PORTAL_ALERTS_RETRY_SECONDS, each next one twice as long (at most 6 hours).
PORTAL_ALERTS_MAX_ATTEMPTS = env.int("PORTAL_ALERTS_MAX_ATTEMPTS", default=5)
PORTAL_ALERTS_RETRY_SECONDS = env.int("PORTAL_ALERTS_RETRY_SECONDS", default=60)
# Seconds one send (an SMTP conversation or a webhook call) may take.
PORTAL_ALERTS_SEND_DEADLINE = env.float("PORTAL_ALERTS_SEND_DEADLINE", default=10.0)
# Seconds manage.py sendalerts sleeps between passes.
PORTAL_ALERTS_INTERVAL = env.int("PORTAL_ALERTS_INTERVAL", default=10)
# Days finished deliveries and their events are kept.
PORTAL_ALERTS_RETENTION_DAYS = env.int("PORTAL_ALERTS_RETENTION_DAYS", default=90)
if PORTAL_ALERTS_MAX_ATTEMPTS < 1 or PORTAL_ALERTS_SEND_DEADLINE <= 0:
    raise ImproperlyConfigured(
        "PORTAL_ALERTS_MAX_ATTEMPTS must be 1 or more and PORTAL_ALERTS_SEND_DEADLINE positive."
    )
