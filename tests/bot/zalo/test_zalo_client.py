"""The OA API client over `httpx.MockTransport`: what it sends, and what it does with each outcome
(token refresh and persistence, rate-limit backoff, window errors, network failures)."""

from __future__ import annotations

import asyncio
import json
import os
import stat
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from bot.settings import MissingSecretError, Settings
from bot.zalo.client import SendResult, ZaloClient
from bot.zalo.tokens import FILE_NAME, TokenSet, TokenStore, default_path

APP_ID = "1234567890"
APP_SECRET = "the-app-secret"
API = "https://openapi.test"
OAUTH = "https://oauth.test"
RECIPIENT = {"message_id": "msg-1"}
MESSAGE = {"text": "Xin chào"}

Reply = dict[str, Any] | httpx.Response | Exception


class MockZalo:
    """Scripted answers for the two endpoints; records every request."""

    def __init__(self) -> None:
        self.sends: list[httpx.Request] = []
        self.refreshes: list[httpx.Request] = []
        self.send_script: deque[Reply] = deque()
        self.refresh_script: deque[Reply] = deque()
        self.live_tokens = {"env-access"}
        self.refresh_delay = 0.0
        self._serial = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3.0/oa/message/cs":
            self.sends.append(request)
            reply = self.send_script.popleft() if self.send_script else None
            if reply is None:
                token = request.headers.get("access_token")
                if token not in self.live_tokens:
                    reply = {"error": -216, "message": "Access token is invalid"}
                else:
                    reply = {
                        "error": 0,
                        "message": "Success",
                        "data": {"message_id": "oa-1", "quota": {"quota_type": "reply"}},
                    }
        elif request.url.path == "/v4/oa/access_token":
            self.refreshes.append(request)
            await asyncio.sleep(self.refresh_delay)
            reply = self.refresh_script.popleft() if self.refresh_script else None
            if reply is None:
                self._serial += 1
                access = f"access-{self._serial}"
                self.live_tokens = {access}
                reply = {
                    "access_token": access,
                    "refresh_token": f"refresh-{self._serial}",
                    "expires_in": "90000",
                }
        else:
            return httpx.Response(404)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json=reply)

    def tokens_used(self) -> list[str | None]:
        return [r.headers.get("access_token") for r in self.sends]


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def zalo() -> MockZalo:
    return MockZalo()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_client(
    tmp_path: Path, zalo: MockZalo, clock: Clock, sleeps: list[float]
) -> Callable[..., ZaloClient]:
    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def make(
        env_access: str = "env-access", env_refresh: str = "env-refresh", **options: Any
    ) -> ZaloClient:
        return ZaloClient(
            app_id=APP_ID,
            app_secret=APP_SECRET,
            store=TokenStore(default_path(tmp_path / "childsafe.db"), APP_ID),
            env_access_token=env_access,
            env_refresh_token=env_refresh,
            api_base_url=API,
            oauth_base_url=OAUTH,
            transport=httpx.MockTransport(zalo),
            clock=clock,
            sleep=fake_sleep,
            **options,
        )

    return make


def stored(tmp_path: Path) -> dict[str, Any]:
    data = json.loads((tmp_path / FILE_NAME).read_text())
    assert isinstance(data, dict)
    return data


# ---------------------------------------------------------------------------- sending
async def test_a_message_is_sent_as_documented(
    make_client: Callable[..., ZaloClient], zalo: MockZalo
) -> None:
    client = make_client()
    result = await client.send_message(RECIPIENT, MESSAGE)
    assert result == SendResult(True, message_id="oa-1", quota_type="reply")
    [request] = zalo.sends
    assert str(request.url) == f"{API}/v3.0/oa/message/cs"
    assert request.method == "POST"
    assert request.headers["access_token"] == "env-access"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"recipient": RECIPIENT, "message": MESSAGE}
    assert client.stats() == {"quota:reply": 1, "sent": 1}
    await client.aclose()


async def test_expired_token_is_refreshed_once_persisted_and_the_send_retried(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, tmp_path: Path, clock: Clock
) -> None:
    client = make_client()
    zalo.live_tokens = set()  # the environment's access token has expired
    result = await client.send_message(RECIPIENT, MESSAGE)
    assert result.ok
    assert zalo.tokens_used() == ["env-access", "access-1"]
    [refresh] = zalo.refreshes
    assert str(refresh.url) == f"{OAUTH}/v4/oa/access_token"
    assert refresh.headers["secret_key"] == APP_SECRET
    assert refresh.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(refresh.content.decode()) == {
        "refresh_token": ["env-refresh"],
        "app_id": [APP_ID],
        "grant_type": ["refresh_token"],
    }
    data = stored(tmp_path)
    assert data["access_token"] == "access-1" and data["refresh_token"] == "refresh-1"
    assert data["expires_at"] == clock.now + 90000
    assert stat.S_IMODE(os.stat(tmp_path / FILE_NAME).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no temporary file left
    assert client.stats()["refreshed"] == 1 and client.stats()["token_rejected"] == 1
    await client.aclose()


async def test_a_token_still_refused_after_refresh_is_not_retried_again(
    make_client: Callable[..., ZaloClient], zalo: MockZalo
) -> None:
    client = make_client()
    zalo.send_script.extend([{"error": -216, "message": "expired"}] * 5)
    result = await client.send_message(RECIPIENT, MESSAGE)
    assert not result.ok and result.error == -216 and result.reason == "token"
    assert len(zalo.sends) == 2 and len(zalo.refreshes) == 1
    await client.aclose()


async def test_concurrent_senders_share_one_refresh(
    make_client: Callable[..., ZaloClient], zalo: MockZalo
) -> None:
    client = make_client()
    zalo.live_tokens = set()
    zalo.refresh_delay = 0.05
    results = await asyncio.gather(*(client.send_message(RECIPIENT, MESSAGE) for _ in range(6)))
    assert all(r.ok for r in results)
    assert len(zalo.refreshes) == 1  # the single-use refresh token is used once
    assert zalo.tokens_used().count("access-1") == 6
    await client.aclose()


async def test_rate_limit_backs_off_then_succeeds(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, sleeps: list[float]
) -> None:
    client = make_client()
    zalo.send_script.extend([{"error": -32, "message": "rate limit"}] * 2)
    assert (await client.send_message(RECIPIENT, MESSAGE)).ok
    assert sleeps == [1.0, 2.0]
    await client.aclose()


async def test_rate_limit_backoff_is_bounded_then_counted(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, sleeps: list[float]
) -> None:
    client = make_client()
    zalo.send_script.extend([{"error": -32}] * 50 + [httpx.Response(429, text="slow down")])
    result = await client.send_message(RECIPIENT, MESSAGE)
    assert not result.ok and result.reason == "rate_limited" and result.error == -32
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(zalo.sends) == 4
    assert client.stats()["rate_limit_gave_up"] == 1
    zalo.send_script.clear()
    zalo.send_script.append(httpx.Response(429, text="slow down"))  # HTTP 429 counts as -32
    sleeps.clear()
    assert (await client.send_message(RECIPIENT, MESSAGE)).ok and sleeps == [1.0]
    await client.aclose()


@pytest.mark.parametrize("code", [-230, -305, -311, -213, -211])
async def test_window_and_quota_errors_are_counted_never_retried(
    make_client: Callable[..., ZaloClient],
    zalo: MockZalo,
    sleeps: list[float],
    code: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client()
    zalo.send_script.extend([{"error": code, "message": "no"}] * 10)
    for _ in range(3):
        result = await client.send_message({"user_id": "6142494823000000001"}, MESSAGE)
        assert not result.ok and result.reason == "window" and result.error == code
    assert len(zalo.sends) == 3 and not zalo.refreshes and sleeps == []
    assert client.stats()[f"error:{code}"] == 3
    assert str(code) in caplog.text
    assert "6142494823000000001" not in caplog.text and "Xin chào" not in caplog.text
    await client.aclose()


async def test_other_errors_are_counted_not_retried(
    make_client: Callable[..., ZaloClient], zalo: MockZalo
) -> None:
    client = make_client()
    zalo.send_script.extend(
        [
            {"error": -201, "message": "invalid param"},
            httpx.Response(400, text="<html>bad</html>"),
            {"message": "no error field"},
        ]
    )
    results = [await client.send_message(RECIPIENT, MESSAGE) for _ in range(3)]
    assert [r.reason for r in results] == ["rejected", "http", "http"]
    assert len(zalo.sends) == 3
    assert client.stats()["error:-201"] == 1 and client.stats()["http:400"] == 1
    await client.aclose()


async def test_network_errors_are_retried_a_bounded_number_of_times(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, sleeps: list[float]
) -> None:
    client = make_client()
    zalo.send_script.extend([httpx.ConnectError("down"), httpx.Response(502)])
    assert (await client.send_message(RECIPIENT, MESSAGE)).ok
    assert sleeps == [0.5, 1.0] and len(zalo.sends) == 3
    sleeps.clear()
    zalo.send_script.extend([httpx.ReadTimeout("slow")] * 10)
    result = await client.send_message(RECIPIENT, MESSAGE)
    assert not result.ok and result.reason == "network"
    assert sleeps == [0.5, 1.0] and len(zalo.sends) == 6
    assert client.stats()["network_gave_up"] == 1
    await client.aclose()


# ---------------------------------------------------------------------------- refreshing
async def test_refresh_happens_shortly_before_expiry_without_waiting_for_216(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, clock: Clock
) -> None:
    client = make_client()
    assert client.refresh_due_in() is None  # a pair from the environment: expiry unknown
    assert await client.refresh()
    assert client.refresh_due_in() == 90000 - 300
    clock.now += 90000 - 301
    assert (await client.send_message(RECIPIENT, MESSAGE)).ok
    assert len(zalo.refreshes) == 1
    clock.now += 2  # now inside the margin
    assert (await client.send_message(RECIPIENT, MESSAGE)).ok
    assert len(zalo.refreshes) == 2
    assert zalo.tokens_used() == ["access-1", "access-2"]  # no -216 on the way
    await client.aclose()


async def test_a_refused_refresh_is_logged_and_counted(
    make_client: Callable[..., ZaloClient],
    zalo: MockZalo,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client()
    zalo.live_tokens = set()
    zalo.refresh_script.append({"error": -14014, "error_name": "Invalid refresh token"})
    result = await client.send_message(RECIPIENT, MESSAGE)
    assert not result.ok and result.reason == "token"
    assert client.stats()["refresh_failed"] == 1
    assert not (tmp_path / FILE_NAME).exists()
    assert client.tokens.refresh_token == "env-refresh"
    assert "-14014" in caplog.text and "env-refresh" not in caplog.text
    await client.aclose()


async def test_refresh_survives_a_network_blip_and_a_missing_expiry(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, sleeps: list[float]
) -> None:
    client = make_client()
    zalo.refresh_script.extend(
        [httpx.ConnectError("down"), {"access_token": "a2", "refresh_token": "r2"}]
    )
    assert await client.refresh()
    assert sleeps == [0.5]
    assert client.tokens.access_token == "a2" and client.tokens.expires_at is None
    await client.aclose()


async def test_the_newest_pair_wins_at_restart(
    make_client: Callable[..., ZaloClient], zalo: MockZalo
) -> None:
    first = make_client()
    zalo.live_tokens = set()
    assert (await first.send_message(RECIPIENT, MESSAGE)).ok
    await first.aclose()
    # a restart with the same environment: the saved pair is used, not env-refresh (spent)
    second = make_client()
    assert second.tokens.access_token == "access-1"
    assert second.tokens.refresh_token == "refresh-1"
    zalo.live_tokens = set()
    assert (await second.send_message(RECIPIENT, MESSAGE)).ok
    assert parse_qs(zalo.refreshes[-1].content.decode())["refresh_token"] == ["refresh-1"]
    await second.aclose()


async def test_a_new_grant_in_the_environment_replaces_the_saved_pair(
    make_client: Callable[..., ZaloClient], zalo: MockZalo
) -> None:
    first = make_client()
    assert await first.refresh()
    await first.aclose()
    regranted = make_client(env_access="granted-access", env_refresh="granted-refresh")
    assert regranted.tokens.access_token == "granted-access"
    await regranted.aclose()


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"app_id": "other", "access_token": "a", "refresh_token": "r"}', "{}"],
)
async def test_an_unusable_token_file_falls_back_to_the_environment(
    make_client: Callable[..., ZaloClient], tmp_path: Path, content: str
) -> None:
    (tmp_path / FILE_NAME).write_text(content)
    client = make_client()
    assert client.tokens == TokenSet("env-access", "env-refresh")
    await client.aclose()


async def test_a_pair_another_process_saved_is_adopted_instead_of_refreshing(
    make_client: Callable[..., ZaloClient], zalo: MockZalo, tmp_path: Path, clock: Clock
) -> None:
    server = make_client()
    cli = make_client()  # e.g. `childsafe zalo refresh` while the server runs
    assert await cli.refresh()
    await cli.aclose()
    zalo.live_tokens = {"access-1"}  # the server's env-access no longer works
    assert (await server.send_message(RECIPIENT, MESSAGE)).ok
    assert len(zalo.refreshes) == 1  # the server did not spend the (already spent) token
    assert server.tokens.access_token == "access-1"
    await server.aclose()


async def test_a_pair_that_cannot_be_saved_is_still_used_and_the_failure_counted(
    tmp_path: Path, zalo: MockZalo, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    client = ZaloClient(
        app_id=APP_ID,
        app_secret=APP_SECRET,
        store=TokenStore(blocker / FILE_NAME, APP_ID),
        env_access_token="env-access",
        env_refresh_token="env-refresh",
        api_base_url=API,
        oauth_base_url=OAUTH,
        transport=httpx.MockTransport(zalo),
    )
    assert await client.refresh()
    assert client.tokens.access_token == "access-1"
    assert client.stats()["token_save_failed"] == 1
    assert "restart would lose it" in caplog.text
    await client.aclose()


def test_from_settings_names_missing_secrets(settings: Settings) -> None:
    secrets = ("zalo_app_secret", "zalo_access_token", "zalo_refresh_token")
    partial = settings.model_copy(update={"zalo_app_id": APP_ID, **dict.fromkeys(secrets)})
    with pytest.raises(MissingSecretError) as raised:
        ZaloClient.from_settings(partial)
    message = str(raised.value)
    for name in ("ZALO_APP_SECRET", "ZALO_ACCESS_TOKEN", "ZALO_REFRESH_TOKEN"):
        assert name in message
    assert "ZALO_APP_ID" not in message
