"""What the internet throws at every endpoint (#8): forged, replayed, malformed, oversized and
wrong-content-type requests, over real HTTP on loopback to the whole app with every channel
on (Telegram and Zalo against their loopback fakes, the staff desk with a real account).

The routes are enumerated from the app itself, so a route added later is covered too. Every
request has a timeout (a hang fails the test), nothing may answer 5xx or log an exception,
bodies over the limit get 413, and a bad request gets a 4xx, except where a platform needs
another answer on purpose: Telegram resends anything not answered 2xx, so JSON that is no
update is taken and dropped (200), a resent Zalo event is acknowledged once more (200), and
an anonymous staff form is sent to the login page (303).
"""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from starlette.routing import Route

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from bot.telegram.webhook import SECRET_HEADER
from bot.wiring import build_assistant
from tests.bot.zalo.test_zalo_webhook import zalo_settings
from tests.conftest import MODEL_CACHE
from tests.fake_telegram import TOKEN, FakeTelegram, message_update
from tests.fake_zalo import FakeZalo, signed
from tests.servers import serve

TELEGRAM_SECRET = "reliability-Secret_1"
STAFF, PASSWORD = "lan", "bàn-làm-việc-2026!"
TIMEOUT = httpx.Timeout(15.0)
KNOWN_ROUTES = {
    ("/api/chat", "POST"),
    ("/api/erase", "POST"),
    ("/webhooks/telegram", "POST"),
    ("/webhooks/zalo", "POST"),
    ("/staff/login", "POST"),
    ("/staff/review/{row_id:int}", "POST"),
    ("/healthz", "GET"),
    ("/", "GET"),
}
DEEP_JSON = b"[" * 30_000 + b"]" * 30_000  # valid JSON, 60 kB, deeper than any parser's stack
MALFORMED_BODIES = {
    "not json": b"{not json",
    "binary": b"\xff\xfe\x00\x01binary\x80",
    "empty": b"",
    "array": b"[1, 2, 3]",
    "scalar": b'"just a string"',
    "null": b"null",
    "deep": DEEP_JSON,
    "wrong types": json.dumps({"text": 42, "session": ["x"], "update_id": "1"}).encode(),
}
# Well-formed JSON with odd strings: the chat answers them (a clear answer, not a refusal);
# no endpoint may crash on them.
ODD_BUT_VALID = {
    "nul bytes": b'{"text": "\\u0000\\u0000", "session": "\\u0000"}',
    "lone surrogate": b'{"text": "\\ud800 x \\udfff", "session": "s\\ud800"}',
    "controls": b'{"text": "\\u001b[31m\\u202e\\u200b", "session": "s2"}',
}
WRONG_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=zz",
    "application/xml",
    "application/jsonx",
)


@dataclass
class Site:
    url: str
    routes: list[tuple[str, str]]  # (path template, method)
    settings: Settings
    telegram: FakeTelegram
    zalo: FakeZalo
    staff: httpx.Client  # logged in


def concrete(path: str) -> str:
    path = re.sub(r"\{[^}:]+:int\}", "1", path)
    return re.sub(r"\{[^}]+\}", "zz", path)


def platform(path: str) -> bool:
    return path.startswith("/webhooks/")


def staff_form(path: str, method: str) -> bool:
    return path.startswith("/staff") and method == "POST"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    tmp = tmp_path_factory.mktemp("reliability-http")
    telegram, zalo = FakeTelegram(), FakeZalo()
    with serve(telegram.app) as telegram_url, serve(zalo.app) as zalo_url:
        telegram.url, zalo.url = telegram_url, zalo_url
        base = Settings(
            _env_file=None,
            CHILDSAFE_DB=tmp / "childsafe.db",
            CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
            CHILDSAFE_MODEL_DIR=MODEL_CACHE,
            CHILDSAFE_STAFF_COOKIE_SECURE=False,
        )
        settings = zalo_settings(
            base,
            zalo,
            telegram_token=TOKEN,
            telegram_api_base_url=f"{telegram_url}/bot",
            telegram_webhook_url="https://bot.example.org",
            telegram_webhook_secret=TELEGRAM_SECRET,
        )
        AuthStore(settings.db_path).add_user(STAFF, PASSWORD, "admin")
        assistant = build_assistant(settings)
        app = create_app(settings, assistant)
        routes = [
            (route.path, method)
            for route in app.routes
            if isinstance(route, Route)
            for method in sorted((route.methods or set()) - {"HEAD"})
        ]
        with serve(app) as url:
            staff = httpx.Client(base_url=url, timeout=TIMEOUT)
            login = staff.post(
                "/staff/login",
                data={"username": STAFF, "password": PASSWORD, "next": "/staff"},
                headers={"Origin": url},
            )
            assert login.status_code == 303, login.text
            telegram.wait_for("setWebhook")
            yield Site(url, routes, settings, telegram, zalo, staff)
            staff.close()
        assistant.close()


@pytest.fixture(autouse=True)
def no_exceptions(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """An exception in the app is a failure even when the client got a tidy 4xx."""
    caplog.set_level(logging.ERROR)
    uvicorn_errors = logging.getLogger("uvicorn.error")  # does not propagate to the root
    uvicorn_errors.addHandler(caplog.handler)
    try:
        yield
    finally:
        uvicorn_errors.removeHandler(caplog.handler)
    crashes = [
        r
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("uvicorn", "starlette", "bot"))
    ]
    assert not crashes, [r.getMessage() for r in crashes]


def send(
    client: httpx.Client,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    all_headers = dict(headers or {})
    if content_type is not None:
        all_headers["content-type"] = content_type
    response = client.request(method, path, content=body, headers=all_headers)
    assert response.status_code < 500, (method, path, response.status_code, response.text[:300])
    return response


def assert_refused(response: httpx.Response, path: str, method: str, anonymous: bool) -> None:
    """A 4xx; an anonymous staff form goes to the login page instead (and does nothing)."""
    if anonymous and staff_form(path, method) and path != "/staff/login":
        assert response.status_code == 303, response.status_code
        assert response.headers["location"].startswith("/staff/login")
        return
    assert 400 <= response.status_code < 500, (method, path, response.status_code)


# ---------------------------------------------------------------------------- the routes
def test_the_routes_are_enumerated_from_the_app(site: Site) -> None:
    assert set(site.routes) >= KNOWN_ROUTES, "a channel is off: this test would miss it"
    assert len(site.routes) >= 20


@pytest.mark.parametrize("label", sorted(MALFORMED_BODIES))
def test_malformed_bodies_get_a_4xx_everywhere(site: Site, label: str) -> None:
    body = MALFORMED_BODIES[label]
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as anon:
        for path, method in site.routes:
            if method != "POST":
                continue
            target = concrete(path)
            for client, anonymous in ((anon, True), (site.staff, False)):
                response = send(client, method, target, body, "application/json")
                if platform(path) and response.status_code == 200:
                    # only an authentic request may be taken; these carry no valid signature
                    pytest.fail(f"{path} took an unsigned {label} body")
                assert_refused(response, path, method, anonymous)


@pytest.mark.parametrize("label", sorted(ODD_BUT_VALID))
def test_odd_strings_in_valid_json_never_crash(site: Site, label: str) -> None:
    body = ODD_BUT_VALID[label]
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as anon:
        for path, method in site.routes:
            if method == "POST":
                send(anon, method, concrete(path), body, "application/json")
        reply = send(anon, "POST", "/api/chat", body, "application/json")
    assert reply.status_code == 200 and reply.json()["text"]


@pytest.mark.parametrize("content_type", WRONG_TYPES)
def test_wrong_content_types_get_a_4xx(site: Site, content_type: str) -> None:
    body = json.dumps({"text": "xin chào", "session": "s1"}).encode()
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as anon:
        for path, method in site.routes:
            if method != "POST":
                continue
            for client, anonymous in ((anon, True), (site.staff, False)):
                response = send(client, method, concrete(path), body, content_type)
                assert_refused(response, path, method, anonymous)


def test_json_apis_name_the_content_type_they_want(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        for path in ("/api/chat", "/api/erase"):
            response = send(client, "POST", path, b'{"text": "hi"}', "text/plain")
            assert response.status_code == 415
            assert "application/json" in response.json()["error"]


def test_oversized_bodies_get_413_everywhere(site: Site) -> None:
    chat_limit = site.settings.max_body_bytes
    webhook_limit = site.settings.webhook_max_body_bytes
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        for path, method in site.routes:
            limit = webhook_limit if platform(path) else chat_limit
            body = b'{"text": "' + b"a" * limit + b'"}'
            response = send(client, method, concrete(path), body, "application/json")
            assert response.status_code == 413, (method, path, response.status_code)


def test_oversized_chunked_bodies_get_413(site: Site) -> None:
    """No Content-Length to refuse early: the body is cut off as it streams in."""

    def chunks(total: int) -> Iterator[bytes]:
        sent = 0
        while sent < total:
            yield b"x" * 8192
            sent += 8192

    # Each endpoint as its real callers reach it (the staff desk logged in, with a form; the
    # Telegram webhook with its secret), so each one really reads the body.
    for path, method in site.routes:
        if method != "POST":
            continue
        limit = (
            site.settings.webhook_max_body_bytes if platform(path) else site.settings.max_body_bytes
        )
        staff = path.startswith("/staff")
        headers = {
            "content-type": "application/x-www-form-urlencoded" if staff else "application/json",
            SECRET_HEADER: TELEGRAM_SECRET,
            "Origin": site.url,
        }
        response = site.staff.request(
            method, concrete(path), content=chunks(limit + 16_384), headers=headers
        )
        assert response.status_code == 413, (path, response.status_code)


def raw_exchange(url: str, request: bytes) -> bytes:
    """Send bytes no HTTP client would, and read what comes back (or the close)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            if b"\r\n\r\n" in received:
                break
    return received


@pytest.mark.parametrize(
    "head",
    [
        b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n",
        b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n",
        b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n",
        b"POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n",
        b"GARBAGE / HTTP/9.9\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello on the plain port
    ],
)
def test_broken_http_is_refused_without_a_5xx(site: Site, head: bytes) -> None:
    answer = raw_exchange(site.url, head + b"Content-Type: application/json\r\n\r\n{}")
    if answer:  # the server may also just close the connection
        status = int(answer.split(b" ", 2)[1])
        assert 400 <= status < 500, answer[:200]


def test_wrong_methods_get_405(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        for path in sorted({path for path, _ in site.routes}):
            for other in ("PUT", "DELETE", "PATCH", "GET", "POST"):
                if any(p == path and m == other for p, m in site.routes):
                    continue
                response = send(client, other, concrete(path), b"{}", "application/json")
                assert response.status_code == 405, (other, path, response.status_code)


def test_junk_queries_and_headers_never_crash_a_page(site: Site) -> None:
    junk_queries = (
        "?q=%ff%fe%00",
        "?since=2026-99-99&until=x&page=-1&days=1e309",
        "?" + "a=1&" * 2000,
        "?q=" + "đ" * 3000,
        "?next=//evil.example.com/%0d%0aSet-Cookie:x",
        "?page=99999999999999999999999",
    )
    odd_headers = {
        "If-None-Match": '"' + "x" * 500 + '"',
        "Cookie": "childsafe_staff=" + "A" * 4000,
        "Origin": "null",
        "Accept": "*/*;q=abc",
        "Range": "bytes=999999-1",
    }
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        for path, method in site.routes:
            if method != "GET":
                continue
            for query in junk_queries:
                for client_, headers in ((client, {}), (site.staff, {}), (client, odd_headers)):
                    send(client_, "GET", concrete(path) + query, headers=headers)


# ---------------------------------------------------------------------------- forged, replayed
def telegram_post(site: Site, body: bytes, secret: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        return send(client, "POST", "/webhooks/telegram", body, headers=headers)


def test_forged_telegram_updates_are_refused_and_never_answered(site: Site) -> None:
    update = json.dumps(message_update("em muốn chết", user_id=7770001)).encode()
    for secret in (None, "", "wrong", TELEGRAM_SECRET + "x", TELEGRAM_SECRET.upper(), "é"):
        if secret == "é":
            continue  # httpx refuses non-ASCII header values itself
        assert telegram_post(site, update, secret).status_code == 403
    for body in MALFORMED_BODIES.values():
        assert telegram_post(site, body, "wrong").status_code == 403  # the secret comes first
    assert site.telegram.sent(7770001) == []


def test_telegram_bodies_that_are_no_update_are_taken_and_dropped(site: Site) -> None:
    for label, body in MALFORMED_BODIES.items():
        response = telegram_post(site, body, TELEGRAM_SECRET)
        if label in {"not json", "binary", "empty", "deep"}:
            assert response.status_code == 400, label
        else:  # JSON, but no update: Telegram would resend a 4xx forever
            assert response.status_code == 200, label


def test_a_replayed_telegram_update_is_answered_and_never_crashes(site: Site) -> None:
    body = json.dumps(message_update("xin chào", user_id=7770002)).encode()
    assert telegram_post(site, body, TELEGRAM_SECRET).status_code == 200
    assert telegram_post(site, body, TELEGRAM_SECRET).status_code == 200
    site.telegram.wait_for("sendMessage", lambda call: call["chat_id"] == 7770002)


def zalo_post(site: Site, body: bytes, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        return send(client, "POST", "/webhooks/zalo", body, headers=headers)


def test_forged_zalo_events_are_refused_and_never_answered(site: Site) -> None:
    payload = site.zalo.incoming("user_send_text", "5550000000000000001", text="em muốn chết")
    body, headers = signed(payload)
    forged = [
        {**headers, "X-ZEvent-Signature": "mac=" + "0" * 64},
        {k: v for k, v in headers.items() if k != "X-ZEvent-Signature"},
        {**headers, "X-ZEvent-Signature": headers["X-ZEvent-Signature"][:-1]},
    ]
    for bad in forged:
        assert zalo_post(site, body, bad).status_code == 401
    tampered = body.replace("muốn".encode(), b"muon")
    assert zalo_post(site, tampered, headers).status_code == 401  # signed text changed
    assert site.zalo.sent_to("5550000000000000001") == []


def test_a_replayed_zalo_event_is_acknowledged_and_answered_once(site: Site) -> None:
    user = "5550000000000000002"
    payload = site.zalo.incoming("user_send_text", user, text="học phí có được miễn không")
    body, headers = signed(payload)
    assert [zalo_post(site, body, headers).status_code for _ in range(3)] == [200, 200, 200]
    site.zalo.wait_for_sent(1, lambda sent: sent.user_id == user)
    old = dict(payload, timestamp="1000000000000")  # a day old or more: a replay
    old_body, old_headers = signed(old)
    assert zalo_post(site, old_body, old_headers).status_code == 200
    assert len(site.zalo.sent_to(user)) == 1


def test_forged_staff_requests_change_nothing(site: Site) -> None:
    token_free = {"label": "greet"}
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as anon:
        anon.cookies.set("childsafe_staff", "A" * 43, domain="127.0.0.1", path="/staff")
        assert send(anon, "GET", "/staff").status_code == 303
        assert send(anon, "GET", "/staff/export/messages.csv").status_code == 401
    for headers in ({"Origin": site.url}, {"Origin": "https://evil.example.com"}, {}):
        response = site.staff.post("/staff/review/1", data=token_free, headers=headers)
        assert response.status_code in (403, 404), response.status_code
    response = site.staff.post("/staff/logout", headers={"Origin": "https://evil.example.com"})
    assert response.status_code == 403
    assert send(site.staff, "GET", "/staff").status_code == 200  # still logged in


def test_the_app_is_still_healthy_afterwards(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
        assert client.get("/healthz").json()["status"] == "ok"
        reply = client.post("/api/chat", json={"text": "em muốn chết", "session": "after"})
    assert reply.status_code == 200 and reply.json()["urgent"]
