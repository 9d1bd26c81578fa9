"""Production settings: everything that differs between hosts comes from the environment."""
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parents[2]


def _required(name):
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"the environment variable {name} must be set")
    return value


def _list(name):
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _database(url):
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise RuntimeError("DATABASE_URL must be a postgres:// URL")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        # A new connection per request: a pool that outlives a database restart is a
        # classic source of 500s, and the health check should see the database as it is.
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 5, "application_name": "backend"},
    }


# The image's build writes VERSION (git describe of the commit it was built from).
VERSION_FILE = BASE_DIR / "VERSION"
APP_VERSION = VERSION_FILE.read_text().strip() if VERSION_FILE.exists() else "unknown"

DEBUG = False
# The host gives the web service SECRET_KEY. Management commands run from the image with only
# DATABASE_URL (the runbooks' `docker run -e DATABASE_URL ...`) and sign nothing, so they get a
# throwaway key rather than a known default.
SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50)
ALLOWED_HOSTS = _list("ALLOWED_HOSTS")
CORS_ALLOWED_ORIGINS = _list("CORS_ALLOWED_ORIGINS")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS")
DATABASES = {"default": _database(_required("DATABASE_URL"))}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "notes",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "notes.cors.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
