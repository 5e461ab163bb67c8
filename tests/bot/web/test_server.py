"""The web server over real HTTP on loopback: /api/chat, /healthz, bad requests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from tests.servers import CONTRACT_KEYS, serve


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    with serve(create_app(settings)) as url:
        yield url


def test_chat_answers_with_the_ask_contract(base_url: str) -> None:
    r = httpx.post(f"{base_url}/api/chat", json={"text": "xin chào", "session": "s1"})
    assert r.status_code == 200
    body = r.json()
    assert body.keys() >= CONTRACT_KEYS
    assert body["intent"] == "greet"
    assert body["engine"] == "embedded"


def test_sessions_share_a_conversation(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        client.post("/api/chat", json={"text": "tôi là giáo viên", "session": "t"})
        same = client.post(
            "/api/chat", json={"text": "@intent:report_abuse", "session": "t"}
        ).json()
        other = client.post(
            "/api/chat", json={"text": "@intent:report_abuse", "session": "u"}
        ).json()
    assert same["audience"] == "teacher"
    assert other["audience"] != "teacher"


def test_urgent_over_http(base_url: str) -> None:
    body = httpx.post(f"{base_url}/api/chat", json={"text": "cuu e voi bo dang danh e"}).json()
    assert body["urgent"] is True
    assert body["hotlines"][0] == "113"  # an attack now: the police first
    assert "111" in body["hotlines"]
    assert body["kind"] == "urgent" and body["actions"][0]["phone"] == "113"


def test_healthz_and_index(base_url: str) -> None:
    health = httpx.get(f"{base_url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    index = httpx.get(f"{base_url}/")
    assert index.status_code == 200 and "111" in index.text


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ({"content": b"\xff\xfe\x00", "headers": {"content-type": "application/json"}}, 400),
        ({"json": ["a", "list"]}, 400),
        ({"json": {"text": 42}}, 422),
        ({"json": {"text": "hi", "session": {"a": 1}}}, 422),
        (
            {
                "content": b"text=hi",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            415,
        ),
        ({"json": {"text": "a" * 5000}}, 413),
        ({"content": b"x" * 70_000, "headers": {"content-type": "application/json"}}, 413),
    ],
)
def test_bad_requests_get_4xx(base_url: str, kwargs: dict, status: int) -> None:  # type: ignore[type-arg]
    r = httpx.post(f"{base_url}/api/chat", **kwargs)
    assert r.status_code == status
    assert "error" in r.json()


def test_chunked_oversized_body_is_refused(base_url: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    r = httpx.post(
        f"{base_url}/api/chat", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


def test_webhooks_get_a_larger_body_limit_than_the_chat(settings: Settings) -> None:
    limited = settings.model_copy(update={"max_body_bytes": 1000, "webhook_max_body_bytes": 5000})
    with serve(create_app(limited)) as url:
        body = b"{" + b" " * 2000 + b"}"
        headers = {"content-type": "application/json"}
        chat = httpx.post(f"{url}/api/chat", content=body, headers=headers)
        hook = httpx.post(f"{url}/webhooks/nowhere", content=body, headers=headers)
        huge = httpx.post(f"{url}/webhooks/nowhere", content=b"x" * 6000, headers=headers)
    assert chat.status_code == 413
    assert hook.status_code == 404  # passed the limit; no such webhook
    assert huge.status_code == 413
