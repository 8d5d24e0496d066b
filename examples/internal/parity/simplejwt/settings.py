"""Settings of the reference simplejwt server the parity test talks to.

Everything comes from the environment the Go test sets, so the two servers it compares run on
the same key, lifetimes and features: PARITY_SIGNING_KEY, PARITY_ACCESS_TTL and
PARITY_REFRESH_TTL (seconds), PARITY_ROTATE and PARITY_BLACKLIST_AFTER_ROTATION ("true"),
and PARITY_DB (the SQLite file).
The example servers do not switch sliding tokens on, so neither does this server. No middleware: simplejwt's answers are the views' own, and without CommonMiddleware
nothing redirects a path that lacks its slash.
"""

import os
from datetime import timedelta

_on = lambda name: os.environ.get(name) == "true"

SECRET_KEY = "parity-test-only"
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
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["PARITY_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The fastest hasher: the comparison is about answers, and thousands of logins go through it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": True}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
}

SIMPLE_JWT = {
    "SIGNING_KEY": os.environ["PARITY_SIGNING_KEY"],
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("PARITY_ACCESS_TTL", "300"))),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=int(os.environ.get("PARITY_REFRESH_TTL", "86400"))),
    "ROTATE_REFRESH_TOKENS": _on("PARITY_ROTATE"),
    "BLACKLIST_AFTER_ROTATION": _on("PARITY_BLACKLIST_AFTER_ROTATION"),
    "UPDATE_LAST_LOGIN": False,
}
