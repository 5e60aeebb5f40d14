"""Attain settings: one module; environments differ only through config.env."""

from __future__ import annotations

import django.conf.locale
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP  # type: ignore[attr-defined]
from django.utils.translation import gettext_lazy as _

from config.env import (
    BASE_DIR,
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    progress_database,
)

ENVIRONMENT = env_str("ATTAIN_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("ATTAIN_DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("ATTAIN_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("ATTAIN_SECRET_KEY must be set when ATTAIN_ENV=production")
    SECRET_KEY = "development-only-secret-key-change-me-in-production-0123456789"

ALLOWED_HOSTS = env_list(
    "ATTAIN_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ATTAIN_ALLOWED_HOSTS must be set when ATTAIN_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("ATTAIN_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "treebeard",
    "simple_history",
    "attain.core",
    "attain.organization",
    "attain.catalog",
    "attain.customers",
    "attain.pipeline",
    "attain.orders",
    "attain.service",
    "attain.analytics",
    "attain.goals",
    "attain.incentives",
    "attain.recognition",
    "attain.imports",
    "attain.webhooks",
    "attain.backups",
    "attain.notifications",
    "attain.api",
    "attain.web",
    "attain.dashboards",
    "attain.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "attain.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "attain.analytics.middleware.HistoryStampMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "attain" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attain.web.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL"))}
# Progress of long work (imports, payout runs) on a connection of its own (attain/core/routers.py)
DATABASES["progress"] = progress_database(DATABASES["default"])
DATABASE_ROUTERS = ["attain.core.routers.ProgressRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # settled-history figures (attain/analytics/history.py); point it at a shared cache
    # (e.g. django.core.cache.backends.redis.RedisCache) when several web processes serve
    "analytics": {
        "BACKEND": env_str(
            "ATTAIN_ANALYTICS_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": env_str("ATTAIN_ANALYTICS_CACHE_LOCATION", "attain-analytics"),
        "OPTIONS": {"MAX_ENTRIES": env_int("ATTAIN_ANALYTICS_CACHE_ENTRIES", 20000)},
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Accounts and security
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_MAX_FAILURES = env_int("ATTAIN_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("ATTAIN_LOGIN_LOCKOUT_SECONDS", 900)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_SSL_REDIRECT = env_bool("ATTAIN_SSL_REDIRECT", default=False)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Internationalisation
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("nb", _("Norwegian Bokmål")),
    ("ro", _("Romanian")),
    ("tl", _("Tagalog")),
]
# Django has no built-in locale metadata for Tagalog; add it so the language picker can show it.
django.conf.locale.LANG_INFO.setdefault(
    "tl", {"bidi": False, "code": "tl", "name": "Tagalog", "name_local": "Tagalog"}
)
LOCALE_PATHS = [BASE_DIR / "attain" / "locale"]
# Date and number formats Django does not ship (Tagalog); other languages use Django's own.
FORMAT_MODULE_PATH = ["attain.formats"]
TIME_ZONE = env_str("ATTAIN_TIME_ZONE", "Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# Static files, served by WhiteNoise from our own files (no CDN)
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "attain" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

MAILERS = {
    "default": {
        "BACKEND": env_str("ATTAIN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    }
}
DEFAULT_FROM_EMAIL = env_str("ATTAIN_DEFAULT_FROM_EMAIL", "attain@localhost")
# Where the links in mails point (digests, reminders, unsubscribe): the address people open
# Attain at, without a trailing slash. Mails refuse to go out in production without it.
SITE_URL = env_str("ATTAIN_SITE_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

# Domain settings
REPORTING_CURRENCY = env_str("ATTAIN_REPORTING_CURRENCY", "EUR").upper()
TASK_WORKERS = env_int("ATTAIN_TASK_WORKERS", 1)
# The mail schedule `run_attain` keeps (local time; the digest's weekday 1 = Monday … 7 = Sunday)
NOTIFICATIONS_REMINDERS_AT = env_str("ATTAIN_REMINDERS_AT", "07:00")
NOTIFICATIONS_DIGEST_WEEKDAY = env_int("ATTAIN_DIGEST_WEEKDAY", 1)
NOTIFICATIONS_DIGEST_AT = env_str("ATTAIN_DIGEST_AT", "07:00")
PAGE_SIZE = 25
IMPORT_MAX_MB = env_int("ATTAIN_IMPORT_MAX_MB", 200)
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
