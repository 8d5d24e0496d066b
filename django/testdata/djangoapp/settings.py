"""Settings of the Django + simplejwt service the jwtdjango tests and docs/migrating_test.go run
beside a Go service.

Everything comes from the environment the Go test sets: DJANGO_DB_VENDOR (sqlite, postgres or
mysql), DJANGO_DB_NAME (the database, or the SQLite file), DJANGO_DB_HOST, DJANGO_DB_PORT,
DJANGO_DB_USER, DJANGO_DB_PASSWORD, and for the server DJANGO_SIGNING_KEY. Refresh tokens
rotate and are blacklisted after rotation, the setting both services must share.
"""

import os
from datetime import timedelta

_engines = {
    "sqlite": "django.db.backends.sqlite3",
    "postgres": "django.db.backends.postgresql",
    "mysql": "django.db.backends.mysql",
}

SECRET_KEY = "jwtdjango-test-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
]
MIDDLEWARE = []
ROOT_URLCONF = "urls"
DATABASES = {
    "default": {
        "ENGINE": _engines[os.environ["DJANGO_DB_VENDOR"]],
        "NAME": os.environ["DJANGO_DB_NAME"],
        "HOST": os.environ.get("DJANGO_DB_HOST", ""),
        "PORT": os.environ.get("DJANGO_DB_PORT", ""),
        "USER": os.environ.get("DJANGO_DB_USER", ""),
        "PASSWORD": os.environ.get("DJANGO_DB_PASSWORD", ""),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": True}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
}

SIMPLE_JWT = {
    "SIGNING_KEY": os.environ.get("DJANGO_SIGNING_KEY", "unused-outside-serve"),
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=5),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
}
