"""jwtdjango's tests run real Django through this script, without manage.py.

    djangotest.py hashes   stdin: [{"hasher": ..., "password": ..., "params": {...}}]
                           stdout: the same list, each with "encoded" added
    djangotest.py users    migrates the database settings.py names, then creates the users
                           of stdin: [{"model": "auth"|"member"|"kiosk", "username": ...,
                           "password": ... or null, "active": ..., "uuid": ..., "code": ...}]
                           stdout: the list, each with "pk" (str) and "encoded" added
    djangotest.py login    stdin: {"model": ..., "username": ...}; stdout: {"last_login":
                           ISO 8601 or null, "encoded": ...}, read back through the ORM
    djangotest.py setpassword
                           stdin: {"model": ..., "username": ..., "password": ...}; changes the
                           user's password as a view would, set_password then save; stdout:
                           {"encoded": ...}
    djangotest.py check    stdin: {"encoded": ..., "password": ...}; stdout: {"ok": bool}
                           (django.contrib.auth.hashers.check_password)

hashes makes each vector with make_password and a hasher instance of the named algorithm
whose cost is the test's "params" (Django's own defaults when there are none), except scrypt:
Django 3.2 has no ScryptPasswordHasher, so its vectors are Django 4's format made here with
hashlib.scrypt.
"""

import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
os.environ.setdefault("DJANGOTEST_NAME", ":memory:")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import hashers  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

HASHERS = {
    "pbkdf2_sha256": hashers.PBKDF2PasswordHasher,
    "pbkdf2_sha1": hashers.PBKDF2SHA1PasswordHasher,
    "argon2": hashers.Argon2PasswordHasher,
    "bcrypt_sha256": hashers.BCryptSHA256PasswordHasher,
    "bcrypt": hashers.BCryptPasswordHasher,
    "md5": hashers.MD5PasswordHasher,
}


def scrypt(password, n=2**14, r=8, p=1):
    # Django 4's ScryptPasswordHasher.encode: the salt's text is the salt, 64 bytes derived,
    # "scrypt$N$salt$r$p$base64".
    salt = get_random_string(22)
    dk = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
    return "scrypt$%d$%s$%d$%d$%s" % (n, salt, r, p, base64.b64encode(dk).decode("ascii").strip())


def make(vector):
    params = dict(vector.get("params") or {})
    if vector["hasher"] == "scrypt":
        return scrypt(vector["password"], **params)
    variety = params.pop("variety", None)
    hasher = type("Hasher", (HASHERS[vector["hasher"]],), params)()
    if variety == "argon2i":
        # Django before 3.2 wrote argon2i; 3.2 writes argon2id and still checks both.
        argon2 = hasher._load_library()
        base = hasher.params

        def params_i():
            p = base()
            p.type = argon2.low_level.Type.I
            return p

        hasher.params = params_i
    return hashers.make_password(vector["password"], hasher=hasher)


def models():
    from django.contrib.auth.models import User

    from customusers.models import Kiosk, Member

    return {"auth": (User, "username"), "member": (Member, "email"), "kiosk": (Kiosk, "name")}


def users(specs):
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    out = []
    for spec in specs:
        model, field = models()[spec["model"]]
        fields = {field: spec["username"]}
        if "active" in spec:
            fields["is_active"] = spec["active"]
        if spec.get("uuid"):
            fields["uid"] = spec["uuid"]
        if spec.get("code"):
            fields["code"] = spec["code"]
        hasher = HASHERS.get(spec.get("hasher"))
        path = [hasher.__module__ + "." + hasher.__qualname__] if hasher else settings.PASSWORD_HASHERS
        # The project's PASSWORD_HASHERS with the named one first, as a project that switched
        # hashers has it; create_user hashes with the first.
        with override_settings(PASSWORD_HASHERS=path):
            if spec["model"] == "auth":
                user = model.objects.create_user(password=spec["password"], **fields)
            else:
                user = model.objects.create_user(spec["password"], **fields)
        out.append(dict(spec, pk=str(user.pk), encoded=user.password))
    return out


def login(spec):
    model, field = models()[spec["model"]]
    user = model.objects.get(**{field: spec["username"]})
    return {"last_login": user.last_login.isoformat() if user.last_login else None, "encoded": user.password}


def setpassword(spec):
    model, field = models()[spec["model"]]
    user = model.objects.get(**{field: spec["username"]})
    user.set_password(spec["password"])
    user.save()
    return {"encoded": user.password}


command = sys.argv[1]
data = json.load(sys.stdin)
if command == "hashes":
    result = [dict(v, encoded=make(v)) for v in data]
elif command == "users":
    result = users(data)
elif command == "login":
    result = login(data)
elif command == "setpassword":
    result = setpassword(data)
elif command == "check":
    result = {"ok": hashers.check_password(data["password"], data["encoded"])}
else:
    sys.exit("unknown command " + command)
json.dump(result, sys.stdout)
