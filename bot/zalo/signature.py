"""The webhook's `X-ZEvent-Signature`: SHA-256 over `app_id + raw body + timestamp + OA secret key`.

A plain hash of the concatenation, not an HMAC, with `app_id` and `timestamp` read from the
event's own JSON and the body taken byte for byte as received (re-serialising the parsed JSON
would change spacing and escapes, and the hash with them). The key is the **OA Secret Key**
(Zalo for Developers → the app → Webhook), not the App Secret used for OAuth.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

HEADER = "X-ZEvent-Signature"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")


def compute(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """The lowercase hex digest Zalo sends for this event."""
    digest = hashlib.sha256()
    digest.update(app_id.encode("utf-8"))
    digest.update(body)
    digest.update(timestamp.encode("utf-8"))
    digest.update(secret_key.encode("utf-8"))
    return digest.hexdigest()


def header_value(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """The header as Zalo writes it (`mac=<hex>`): for tests and `childsafe zalo sign`."""
    return "mac=" + compute(app_id, body, timestamp, secret_key)


def parse_header(value: str | None) -> str | None:
    """The digest in a header value (`mac=<hex>` or `<hex>`, any case), or None if malformed."""
    if not value:
        return None
    candidate = value.strip()
    if candidate[:4].lower() == "mac=":
        candidate = candidate[4:].strip()
    candidate = candidate.lower()
    return candidate if _HEX_DIGEST.fullmatch(candidate) else None


def signed_field(value: Any) -> str | None:
    """`app_id` or `timestamp` as it enters the hash: Zalo sends strings; a JSON integer is
    accepted as its digits. Anything else (float, bool, object, empty) cannot be verified."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def verify(header: str | None, event: dict[str, Any], body: bytes, secret_key: str) -> bool:
    """True only if the header carries the digest of this exact body for this event."""
    given = parse_header(header)
    app_id = signed_field(event.get("app_id"))
    timestamp = signed_field(event.get("timestamp"))
    if given is None or app_id is None or timestamp is None or not secret_key:
        return False
    expected = compute(app_id, body, timestamp, secret_key)
    return hmac.compare_digest(given.encode("ascii"), expected.encode("ascii"))
