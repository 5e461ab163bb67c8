"""The webhook signature against known vectors: SHA-256(app_id + raw body + timestamp + OA key)."""

from __future__ import annotations

import hashlib
import json

import pytest

from bot.zalo import signature

SECRET = "oa-secret"
# The documented sample event, as raw bytes (UTF-8, compact): the hash covers these exactly.
BODY = (
    '{"event_name":"user_send_text","app_id":"2553928453557884079",'
    '"sender":{"id":"6142494823000000001"},"recipient":{"id":"3662729599332560487"},'
    '"message":{"text":"Chào A4B","msg_id":"cb31dff1c39642cc1b83"},'
    '"timestamp":"1699003881354","user_id_by_app":"979122185046046317"}'
).encode()
EVENT = json.loads(BODY)
# Computed once, independently, with `hashlib.sha256(app_id + body + timestamp + key)`.
BODY_DIGEST = "008206a0879c6ad330a1761056cdf9764dc4bd8921b26278dbb0ecf8e1c7c1c2"
TINY_DIGEST = "de8e4e4cd3996baf4a4549475ad3ebf35118b2bcef3fbe9dc44903244f01e17e"  # "1"+"{}"+"2"+"k"


def by_hand(app_id: str, body: bytes, timestamp: str, key: str) -> str:
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + key.encode()).hexdigest()


def test_known_vectors() -> None:
    assert signature.compute("2553928453557884079", BODY, "1699003881354", SECRET) == BODY_DIGEST
    assert signature.compute("1", b"{}", "2", "k") == TINY_DIGEST
    assert by_hand("2553928453557884079", BODY, "1699003881354", SECRET) == BODY_DIGEST
    # a plain hash of the concatenation, not an HMAC keyed with the secret
    assert signature.compute("1", b"{}", "2", "k") != hashlib.sha256(b"12{}k").hexdigest()


@pytest.mark.parametrize(
    "header",
    [
        f"mac={BODY_DIGEST}",
        BODY_DIGEST,
        BODY_DIGEST.upper(),
        f"mac={BODY_DIGEST.upper()}",
        f"MAC={BODY_DIGEST}",
        f"  mac={BODY_DIGEST}  ",
    ],
)
def test_accepted_header_forms(header: str) -> None:
    assert signature.verify(header, EVENT, BODY, SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "mac=",
        "mac",
        BODY_DIGEST[:-1],
        BODY_DIGEST + "0",
        "mac=" + "0" * 64,
        "mac=" + BODY_DIGEST.replace("0", "g", 1),
        "sha256=" + BODY_DIGEST,
        hashlib.sha256(BODY).hexdigest(),  # the body alone
        by_hand("2553928453557884079", BODY, "1699003881354", "app-secret"),  # wrong key
    ],
)
def test_refused_headers(header: str | None) -> None:
    assert not signature.verify(header, EVENT, BODY, SECRET)


def test_the_raw_bytes_are_signed_not_the_parsed_json() -> None:
    header = f"mac={BODY_DIGEST}"
    respaced = json.dumps(EVENT).encode()  # same JSON, other spacing and escapes
    assert json.loads(respaced) == EVENT
    assert not signature.verify(header, EVENT, respaced, SECRET)
    tampered = BODY.replace(b"A4B", b"A4C")
    assert not signature.verify(header, json.loads(tampered), tampered, SECRET)


def test_app_id_and_timestamp_come_from_the_event() -> None:
    header = f"mac={BODY_DIGEST}"
    assert not signature.verify(header, {**EVENT, "timestamp": "1699003881355"}, BODY, SECRET)
    assert not signature.verify(header, {**EVENT, "app_id": "1"}, BODY, SECRET)
    for missing in ("app_id", "timestamp"):
        event = {k: v for k, v in EVENT.items() if k != missing}
        assert not signature.verify(header, event, BODY, SECRET)


def test_numeric_fields_sign_as_their_digits() -> None:
    body = b'{"app_id":42,"timestamp":1699003881354}'
    event = json.loads(body)
    header = by_hand("42", body, "1699003881354", SECRET)
    assert signature.verify(header, event, body, SECRET)
    for odd in (True, 4.2, None, {"x": 1}, [1], ""):
        assert not signature.verify(header, {**event, "app_id": odd}, body, SECRET)


def test_no_secret_verifies_nothing() -> None:
    assert not signature.verify(
        by_hand("1", b"{}", "2", ""), {"app_id": "1", "timestamp": "2"}, b"{}", ""
    )


def test_header_value_is_what_zalo_sends() -> None:
    assert signature.header_value("1", b"{}", "2", "k") == f"mac={TINY_DIGEST}"
    assert signature.parse_header(f"mac={TINY_DIGEST.upper()}") == TINY_DIGEST
