"""The signature of a policy webhook (DESIGN 9.5): HMAC-SHA256 of "<timestamp>.<body>". Pure."""

import hashlib
import hmac

SCHEME = "v1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Budgetbot-Signature value: "v1=<hex>", keyed with the secret (UTF-8)."""
    signed = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """Whether `signature` is the one of `body` at `timestamp` (compared in constant time)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
