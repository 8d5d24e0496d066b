"""Settings of the Django that jwtdjango's tests run, without manage.py.

The database comes from the environment the Go test sets: DJANGOTEST_ENGINE (sqlite3,
postgresql or mysql), DJANGOTEST_NAME (the SQLite file or the database name), DJANGOTEST_HOST,
DJANGOTEST_PORT, DJANGOTEST_USER and, for PostgreSQL, DJANGOTEST_SCHEMA (the throwaway schema
the tables go in).
"""

import os

SECRET_KEY = "djangotest-only"
USE_TZ = True
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "customusers"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGGING = {"version": 1, "disable_existing_loggers": True}

_engine = os.environ.get("DJANGOTEST_ENGINE", "sqlite3")
_db = {"ENGINE": "django.db.backends." + _engine, "NAME": os.environ["DJANGOTEST_NAME"]}
for _key in ("HOST", "PORT", "USER"):
    if os.environ.get("DJANGOTEST_" + _key):
        _db[_key] = os.environ["DJANGOTEST_" + _key]
if os.environ.get("DJANGOTEST_SCHEMA"):
    _db["OPTIONS"] = {"options": "-c search_path=" + os.environ["DJANGOTEST_SCHEMA"]}
DATABASES = {"default": _db}

# Django's default list (3.2), scrypt aside: Django 3.2 has no ScryptPasswordHasher. The
# users the tests create get the first; hashes.py makes vectors of every one.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
