"""A small client for the Zalo OA API on one shared `httpx.AsyncClient`.

It sends customer-service messages (`POST {api}/v3.0/oa/message/cs`, header `access_token`)
and keeps the token pair alive (`POST {oauth}/v4/oa/access_token`, header `secret_key` with
the App Secret, form `refresh_token`, `app_id`, `grant_type=refresh_token`). What it does
with each outcome, from the error table in the project's ecosystem facts:

- `0`: sent, counted (and by Zalo's `quota_type`, e.g. "reply").
- `-216` (invalid or expired access token): refresh once and retry once. Concurrent senders
  that hit it together share one refresh: refresh tokens are single-use, so a second refresh
  with the same token would fail and could strand the channel.
- `-32` (rate limited), or HTTP 429: wait 1, 2, 4 s and retry; then give up and count.
- `-230`, `-305`, `-311` (outside the reply window / reply quota used), `-213` (not a
  follower), `-211` (out of quota): logged (the code only, never text or user id) and
  counted, never retried: retrying cannot open a window and would only spend quota.
- Any other non-zero code: logged and counted, not retried.
- Network errors and HTTP 5xx: retried twice (0.5 s, 1 s), then given up and counted. A
  timed-out send may have reached Zalo, so a retry can rarely duplicate a message; a
  duplicate answer is better than none.

The access token is also refreshed proactively when it is within `refresh_margin` seconds of
its `expires_in`. Every new pair is persisted (`bot.zalo.tokens`) before it is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import httpx

from bot.settings import Settings
from bot.zalo.tokens import TokenSet, TokenStore, default_path

log = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"

OK = 0
RATE_LIMITED = -32
TOKEN_INVALID = -216
# -124 is the same "access token invalid" in Zalo's business (ZNS) API; treated alike.
TOKEN_ERRORS = frozenset({TOKEN_INVALID, -124})
WINDOW_ERRORS: dict[int, str] = {
    -211: "out of quota",
    -213: "user is not following the OA",
    -230: "user has not interacted in the past 7 days",
    -305: "reply window (48 h) has closed",
    -311: "reply quota used up",
}

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
REFRESH_MARGIN_SECONDS = 300.0
RATE_LIMIT_DELAYS = (1.0, 2.0, 4.0)
NETWORK_DELAYS = (0.5, 1.0)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class SendResult:
    ok: bool
    error: int = OK  # Zalo's code (0 on success); for failures without one, see `reason`
    reason: str = "sent"  # sent | token | rate_limited | window | rejected | network | http
    message_id: str | None = None
    quota_type: str | None = None


class ZaloClient:
    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        store: TokenStore,
        env_access_token: str,
        env_refresh_token: str,
        api_base_url: str = "https://openapi.zalo.me",
        oauth_base_url: str = "https://oauth.zaloapp.com",
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
        refresh_margin: float = REFRESH_MARGIN_SECONDS,
        rate_limit_delays: tuple[float, ...] = RATE_LIMIT_DELAYS,
        network_delays: tuple[float, ...] = NETWORK_DELAYS,
        shared_lock: Callable[[], AbstractContextManager[bool]] | None = None,
    ) -> None:
        self.app_id = app_id
        self._app_secret = app_secret
        self.store = store
        self._env_refresh_token = env_refresh_token
        self.send_url = api_base_url.rstrip("/") + SEND_PATH
        self.refresh_url = oauth_base_url.rstrip("/") + REFRESH_PATH
        self.clock = clock
        self.sleep = sleep
        self.refresh_margin = refresh_margin
        self.rate_limit_delays = rate_limit_delays
        self.network_delays = network_delays
        self._tokens = store.initial(env_access_token, env_refresh_token)
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        self._refresh_lock = asyncio.Lock()
        # Across processes (workers, replicas): one refresh at a time, since a refresh token
        # works once; the others then adopt the pair it saved.
        self._shared_lock = shared_lock
        self._counters: Counter[str] = Counter()

    @classmethod
    def from_settings(
        cls, settings: Settings, transport: httpx.AsyncBaseTransport | None = None, **options: Any
    ) -> ZaloClient:
        settings.require(
            "zalo_app_id", "zalo_app_secret", "zalo_access_token", "zalo_refresh_token"
        )
        assert settings.zalo_app_id and settings.zalo_app_secret
        assert settings.zalo_access_token and settings.zalo_refresh_token
        return cls(
            app_id=settings.zalo_app_id,
            app_secret=settings.zalo_app_secret,
            store=TokenStore(
                default_path(settings.db_path),
                settings.zalo_app_id,
                shared=options.pop("shared", None),
            ),
            env_access_token=settings.zalo_access_token,
            env_refresh_token=settings.zalo_refresh_token,
            api_base_url=settings.zalo_api_base_url,
            oauth_base_url=settings.zalo_oauth_base_url,
            transport=transport,
            **options,
        )

    # ------------------------------------------------------------------ what others read
    @property
    def tokens(self) -> TokenSet:
        return self._tokens

    def stats(self) -> dict[str, int]:
        """Counters since start: sent, refreshed, refresh_failed, rate_limited, error:<code>…"""
        return dict(sorted(self._counters.items()))

    def refresh_due_in(self) -> float | None:
        """Seconds until the proactive refresh is due (<= 0: now), None if expiry is unknown."""
        remaining = self._tokens.expires_in(self.clock())
        return None if remaining is None else remaining - self.refresh_margin

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ sending
    async def send_message(self, recipient: dict[str, str], message: dict[str, Any]) -> SendResult:
        """One customer-service message; `recipient` is {"message_id": …} or {"user_id": …}."""
        body = {"recipient": recipient, "message": message}
        await self.ensure_fresh()
        token_retried = False
        rate_tries = network_tries = 0
        while True:
            token = self._tokens.access_token
            try:
                response = await self._http.post(
                    self.send_url, json=body, headers={"access_token": token}
                )
            except httpx.TransportError as exc:
                if network_tries < len(self.network_delays):
                    await self._wait("network_retries", self.network_delays[network_tries])
                    network_tries += 1
                    continue
                self._counters["network_gave_up"] += 1
                log.warning("zalo: send failed after retries (%s)", type(exc).__name__)
                return SendResult(False, reason="network")
            if response.status_code >= 500:
                if network_tries < len(self.network_delays):
                    await self._wait("network_retries", self.network_delays[network_tries])
                    network_tries += 1
                    continue
                self._counters["network_gave_up"] += 1
                log.warning("zalo: send failed, HTTP %s after retries", response.status_code)
                return SendResult(False, reason="http")
            code, data = _error_code(response)
            if response.status_code == 429:
                code = RATE_LIMITED
            if code == OK and response.status_code < 400:
                return self._sent(data)
            if code in TOKEN_ERRORS and not token_retried:
                token_retried = True
                self._counters["token_rejected"] += 1
                if await self._refresh(stale_access=token):
                    continue
                return SendResult(False, error=code, reason="token")
            if code == RATE_LIMITED:
                if rate_tries < len(self.rate_limit_delays):
                    await self._wait("rate_limited", self.rate_limit_delays[rate_tries])
                    rate_tries += 1
                    continue
                self._counters["rate_limit_gave_up"] += 1
                log.warning("zalo: still rate limited (-32) after %d waits; not sent", rate_tries)
                return SendResult(False, error=code, reason="rate_limited")
            return self._refused(code, response.status_code)

    def _sent(self, data: dict[str, Any]) -> SendResult:
        self._counters["sent"] += 1
        inner = data.get("data") if isinstance(data.get("data"), dict) else {}
        assert isinstance(inner, dict)
        quota = inner.get("quota") if isinstance(inner.get("quota"), dict) else {}
        assert isinstance(quota, dict)
        quota_type = quota.get("quota_type")
        if isinstance(quota_type, str) and quota_type:
            self._counters[f"quota:{quota_type}"] += 1
        message_id = inner.get("message_id")
        return SendResult(
            True,
            message_id=str(message_id) if message_id is not None else None,
            quota_type=quota_type if isinstance(quota_type, str) else None,
        )

    def _refused(self, code: int | None, status: int) -> SendResult:
        if code is None:
            self._counters[f"http:{status}"] += 1
            log.warning("zalo: send refused, HTTP %s without a Zalo error code", status)
            return SendResult(False, reason="http")
        self._counters[f"error:{code}"] += 1
        if code in WINDOW_ERRORS:
            log.warning("zalo: not sent, error %s (%s); not retried", code, WINDOW_ERRORS[code])
            return SendResult(False, error=code, reason="window")
        if code in TOKEN_ERRORS:
            log.error("zalo: the access token is refused even after a refresh (error %s)", code)
            return SendResult(False, error=code, reason="token")
        log.warning("zalo: not sent, error %s", code)
        return SendResult(False, error=code, reason="rejected")

    async def _wait(self, counter: str, delay: float) -> None:
        self._counters[counter] += 1
        await self.sleep(delay)

    # ------------------------------------------------------------------ tokens
    async def ensure_fresh(self) -> None:
        """Refresh now if the access token is within the margin of its expiry."""
        due = self.refresh_due_in()
        if due is not None and due <= 0:
            await self._refresh(stale_access=self._tokens.access_token)

    async def refresh(self, stale_access: str | None = None) -> bool:
        """Refresh now; True if a new pair is in use. With `stale_access`, only if that token
        is still the one in use (another refresh in the meantime is as good)."""
        return await self._refresh(stale_access=stale_access)

    async def _refresh(self, stale_access: str | None) -> bool:
        async with self._refresh_lock:
            if stale_access is not None and self._tokens.access_token != stale_access:
                return True  # another sender refreshed while this one waited
            async with self._across_processes() as held:
                if not held:
                    self._counters["refresh_lock_busy"] += 1
                    log.warning("zalo: another process holds the token refresh lock; later")
                    return False
                if stale_access is not None and self._adopt_newer_stored(stale_access):
                    return True  # another process (a worker, `childsafe zalo refresh`) rotated it
                tokens = await self._request_refresh(self._tokens.refresh_token)
                if tokens is None:
                    return False
                await self._persist(tokens)
                self._tokens = tokens
                self._counters["refreshed"] += 1
                log.info("zalo: access token refreshed; new pair saved")
                return True

    @contextlib.asynccontextmanager
    async def _across_processes(self) -> AsyncIterator[bool]:
        if self._shared_lock is None:
            yield True
            return
        held = self._shared_lock()
        got = await asyncio.to_thread(held.__enter__)
        try:
            yield got
        finally:
            await asyncio.to_thread(held.__exit__, None, None, None)

    def _adopt_newer_stored(self, stale_access: str) -> bool:
        stored = self.store.read()
        if stored is None:
            return False
        tokens, _ = stored
        if (
            tokens.access_token == stale_access
            or tokens.refresh_token == self._tokens.refresh_token
        ):
            return False
        current_at = self._tokens.obtained_at
        if tokens.obtained_at is None or (
            current_at is not None and tokens.obtained_at <= current_at
        ):
            return False  # the file is older than what is in memory (e.g. a save that failed)
        due = tokens.expires_in(self.clock())
        if due is not None and due <= self.refresh_margin:
            self._tokens = tokens  # newer but about to expire: refresh from it
            return False
        self._tokens = tokens
        self._counters["adopted_stored"] += 1
        log.info("zalo: using the token pair another process saved")
        return True

    async def _request_refresh(self, refresh_token: str) -> TokenSet | None:
        form = {
            "refresh_token": refresh_token,
            "app_id": self.app_id,
            "grant_type": "refresh_token",
        }
        headers = {"secret_key": self._app_secret}
        for attempt in range(len(self.network_delays) + 1):
            try:
                response = await self._http.post(self.refresh_url, data=form, headers=headers)
            except httpx.TransportError as exc:
                if attempt < len(self.network_delays):
                    await self._wait("network_retries", self.network_delays[attempt])
                    continue
                self._counters["refresh_failed"] += 1
                log.error("zalo: token refresh failed: %s", type(exc).__name__)
                return None
            if response.status_code >= 500 and attempt < len(self.network_delays):
                await self._wait("network_retries", self.network_delays[attempt])
                continue
            return self._parse_refresh(response, refresh_token)
        return None  # pragma: no cover - the loop always returns

    def _parse_refresh(self, response: httpx.Response, old_refresh: str) -> TokenSet | None:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        access, refresh = data.get("access_token"), data.get("refresh_token")
        if not isinstance(access, str) or not access:
            self._counters["refresh_failed"] += 1
            log.error(
                "zalo: token refresh refused (HTTP %s, error %s %s); a new grant may be needed "
                "(README, Zalo: the first token pair)",
                response.status_code,
                data.get("error"),
                data.get("error_name") or "",
            )
            return None
        if not isinstance(refresh, str) or not refresh:
            log.warning("zalo: refresh returned no new refresh token; keeping the old one")
            refresh = old_refresh
        now = self.clock()
        lifetime = _seconds(data.get("expires_in"))
        return TokenSet(access, refresh, now + lifetime if lifetime else None, now)

    async def _persist(self, tokens: TokenSet) -> None:
        try:
            await asyncio.to_thread(self.store.save, tokens, self._env_refresh_token)
        except OSError as exc:
            self._counters["token_save_failed"] += 1
            log.error(
                "zalo: could not save the new token pair to %s (%s); it is kept in memory, "
                "but a restart would lose it",
                self.store.path,
                exc,
            )


def _error_code(response: httpx.Response) -> tuple[int | None, dict[str, Any]]:
    """Zalo's `error` field (0 is success), or None when the body carries none."""
    with contextlib.suppress(ValueError):
        data = response.json()
        if isinstance(data, dict):
            code = data.get("error")
            if isinstance(code, bool):
                return None, data
            if isinstance(code, int):
                return code, data
            if isinstance(code, str) and code.lstrip("-").isdigit():
                return int(code), data
            return None, data
    return None, {}


def _seconds(value: Any) -> float | None:
    """`expires_in` as seconds: Zalo sends it as a string of digits ("90000") or a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value > 0:
        return float(value)
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return float(int(value))
    return None
