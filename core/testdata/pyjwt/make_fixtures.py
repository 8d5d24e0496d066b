"""Builds tokens the way a simplejwt server signs them, for core's interoperability tests.

PyJWT is not installable here, so this script reproduces its encoder with the standard
library: the header is {"typ","alg"} (plus "kid") dumped with sort_keys and compact separators,
the payload is dumped in insertion order with compact separators and ensure_ascii, both are
base64url without padding, and the signature is HMAC over "header.payload". The payloads follow
simplejwt's Token classes: token_type, exp, iat, jti (uuid4 hex), user_id, then custom claims.

Run: python3 make_fixtures.py > fixtures.json
"""
import base64
import hashlib
import hmac
import json
import uuid

NOW = 1_800_000_000
SECRET = "django-shared-secret-for-interop-tests-0123456789-abcdefghijklmnopqrstuvwxyz"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def encode(payload, alg="HS256", kid=None, secret=SECRET):
    header = {"typ": "JWT", "alg": alg}
    if kid:
        header["kid"] = kid
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    p = json.dumps(payload, separators=(",", ":")).encode()
    signing = b64(h) + "." + b64(p)
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    sig = hmac.new(secret.encode(), signing.encode(), digest).digest()
    return signing + "." + b64(sig)


def token(token_type, user_id, lifetime, **custom):
    payload = {"token_type": token_type, "exp": NOW + lifetime, "iat": NOW, "jti": uuid.uuid4().hex, "user_id": user_id}
    if token_type == "sliding":
        payload["refresh_exp"] = NOW + 86400
    payload.update(custom)
    return payload


def fixture(name, payload, alg="HS256", kid=None):
    return {"name": name, "alg": alg, "kid": kid or "", "secret": SECRET, "now": NOW + 60,
            "token": encode(payload, alg, kid), "payload": payload}


fixtures = [
    fixture("access int user_id", token("access", 1, 300)),
    fixture("access string user_id", token("access", "5f0c8a4e-uuid", 300)),
    fixture("access numeric string user_id", token("access", "1", 300)),
    fixture("refresh", token("refresh", 1, 86400)),
    fixture("sliding", token("sliding", 1, 300)),
    fixture("HS384 with custom claims", token("access", 1, 300, tenant="acme", roles=["admin"]), alg="HS384"),
    fixture("HS512 non-ASCII custom claim", token("access", 1, 300, name="Zoë"), alg="HS512"),
    fixture("kid header", token("access", 1, 300), kid="django-2026"),
]
print(json.dumps(fixtures, indent=1, ensure_ascii=False))
