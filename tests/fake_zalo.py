"""A loopback fake of the Zalo OA API and its OAuth server, for tests that never touch the network.

It implements the contract in the project's ecosystem facts (part C) for what the channel uses:

- `POST /v3.0/oa/message/cs`: header `access_token` must be a live token (else error -216);
  body `{"recipient": {"message_id"} | {"user_id"}, "message": {...}}`; text of 1-2,000
  characters; a template attachment of 1-5 buttons (`oa.query.show|hide` with a string
  payload of at most 1,000 characters, `oa.open.phone` with `{"phone_code"}`, `oa.open.url`
  with `{"url"}`), titles of 1-100 characters (anything else: error -201). A reply by
  `message_id` must name a message a user sent (registered by `user_message`/`event`); at
  most 8 replies per message (then -311). A message by `user_id` needs a user the OA knows
  (else -213) and counts as proactive. Success: `{"error": 0, "message": "Success",
  "data": {"message_id", "user_id", "quota": {"quota_type", "remain"}}}`, HTTP 200; errors
  are HTTP 200 with a non-zero `error` too.
- `POST /v4/oa/access_token`: form-encoded `refresh_token`, `app_id`, `grant_type=refresh_token`
  and header `secret_key` (the App Secret). A refresh token works once; the answer is a new
  pair with `expires_in` as a string of seconds, as Zalo sends it. The error codes for a bad
  refresh are illustrative (the channel must not depend on them).

Every call is recorded; `fail_next` makes the next sends fail with a given code. Serve it with
`tests.servers.serve(fake.app)`.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

APP_ID = "2553928453557884079"
APP_SECRET = "app-secret-for-oauth"
OA_SECRET_KEY = "oa-secret-key-for-webhooks"
OA_ID = "3662729599332560487"
ACCESS_TOKEN = "access-0"
REFRESH_TOKEN = "refresh-0"
USER_ID = "6142494823000000001"
OTHER_USER_ID = "6142494823000000002"

MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
MAX_QUERY_PAYLOAD = 1000
REPLIES_PER_MESSAGE = 8
BUTTON_TYPES = frozenset(
    {"oa.query.show", "oa.query.hide", "oa.open.phone", "oa.open.url", "oa.open.sms"}
)


@dataclass(frozen=True, slots=True)
class Sent:
    recipient: dict[str, str]
    message: dict[str, Any]
    user_id: str  # whom it reached (resolved from message_id when replying)
    access_token: str

    @property
    def text(self) -> str:
        return str(self.message.get("text", ""))

    @property
    def buttons(self) -> list[dict[str, Any]]:
        attachment = self.message.get("attachment") or {}
        return list((attachment.get("payload") or {}).get("buttons") or [])


@dataclass
class FakeZalo:
    app_id: str = APP_ID
    app_secret: str = APP_SECRET
    expires_in: str | int | None = "90000"
    sent: list[Sent] = field(default_factory=list)
    send_attempts: list[dict[str, Any]] = field(default_factory=list)  # every call, refused too
    refreshes: list[dict[str, str]] = field(default_factory=list)  # every refresh call's form
    url: str = ""  # set once served
    send_delay: float = 0.0  # seconds a send takes (a slow network), before it is recorded

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self.access_tokens: set[str] = {ACCESS_TOKEN}
        self.refresh_tokens: set[str] = {REFRESH_TOKEN}
        self.used_refresh_tokens: set[str] = set()
        self.followers: set[str] = set()
        self._messages: dict[str, str] = {}  # msg_id → user who sent it
        self._replies: dict[str, int] = {}  # msg_id → replies sent to it
        self._failures: list[tuple[int, str]] = []
        self.app = Starlette(
            routes=[
                Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
                Route("/v4/oa/access_token", self._refresh, methods=["POST"]),
            ]
        )

    # ------------------------------------------------------------------ test helpers
    def user_message(self, user_id: str, msg_id: str | None = None) -> str:
        """Record that `user_id` wrote to the OA (opens the reply window); the msg_id."""
        msg_id = msg_id or f"msg{next(self._counter):08x}"
        with self._lock:
            self._messages[msg_id] = user_id
            self.followers.add(user_id)
        return msg_id

    def incoming(self, name: str, user_id: str = USER_ID, **fields: Any) -> dict[str, Any]:
        """A webhook event from `user_id`, its message known to this API (for replies)."""
        payload = event(name, user_id, **fields)
        message = payload.get("message")
        if isinstance(message, dict):
            self.user_message(user_id, message["msg_id"])
        else:
            with self._lock:
                self.followers.add(user_id)
        return payload

    def fail_next(self, code: int, times: int = 1, message: str = "") -> None:
        with self._lock:
            self._failures.extend([(code, message or f"error {code}")] * times)

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (as after `expires_in`)."""
        with self._lock:
            self.access_tokens.clear()

    @property
    def current_refresh_tokens(self) -> set[str]:
        with self._lock:
            return set(self.refresh_tokens)

    def sent_to(self, user_id: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.user_id == user_id]

    def wait_for_sent(
        self,
        count: int = 1,
        where: Callable[[Sent], bool] = lambda sent: True,
        timeout: float = 20.0,
    ) -> list[Sent]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = [s for s in self.sent if where(s)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} expected messages arrived")
            time.sleep(0.02)

    def wait_for_refreshes(self, count: int = 1, timeout: float = 20.0) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                found = list(self.refreshes)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} expected refreshes")
            time.sleep(0.02)

    # ------------------------------------------------------------------ the OA API
    async def _send(self, request: Request) -> JSONResponse:
        token = request.headers.get("access_token", "")
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(-201, "body is not JSON")
        if self.send_delay:
            await asyncio.sleep(self.send_delay)
        with self._lock:
            self.send_attempts.append(body if isinstance(body, dict) else {"raw": body})
            if token not in self.access_tokens:
                return _error(-216, "Access token is invalid")
            if self._failures:
                code, message = self._failures.pop(0)
                return _error(code, message)
            problem = check_body(body)
            if problem:
                return _error(-201, problem)
            recipient, message = body["recipient"], body["message"]
            if "message_id" in recipient:
                user = self._messages.get(recipient["message_id"])
                if user is None:
                    return _error(-201, "message_id is invalid")
                count = self._replies.get(recipient["message_id"], 0)
                if count >= REPLIES_PER_MESSAGE:
                    return _error(-311, "reply quota exhausted")
                self._replies[recipient["message_id"]] = count + 1
                quota = {"quota_type": "reply", "remain": str(REPLIES_PER_MESSAGE - count - 1)}
            else:
                user = recipient["user_id"]
                if user not in self.followers:
                    return _error(-213, "user has not followed the OA")
                quota = {"quota_type": "sub_quota", "remain": "100"}
            self.sent.append(Sent(recipient, message, user, token))
            message_id = f"oa{next(self._counter):012x}"
        return JSONResponse(
            {
                "error": 0,
                "message": "Success",
                "data": {"message_id": message_id, "user_id": user, "quota": quota},
            }
        )

    # ------------------------------------------------------------------ OAuth
    async def _refresh(self, request: Request) -> JSONResponse:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return _oauth_error(-14001, "Content-Type must be form-urlencoded")
        form = {k: str(v) for k, v in (await request.form()).items()}
        with self._lock:
            self.refreshes.append(form)
            if request.headers.get("secret_key") != self.app_secret:
                return _oauth_error(-14002, "Invalid secret key")
            if form.get("app_id") != self.app_id:
                return _oauth_error(-14003, "Invalid app_id")
            if form.get("grant_type") != "refresh_token":
                return _oauth_error(-14004, "Invalid grant_type")
            refresh = form.get("refresh_token", "")
            if refresh in self.used_refresh_tokens:
                return _oauth_error(-14014, "Refresh token was already used")
            if refresh not in self.refresh_tokens:
                return _oauth_error(-14014, "Invalid refresh token")
            self.refresh_tokens.discard(refresh)
            self.used_refresh_tokens.add(refresh)
            serial = next(self._counter)
            access, new_refresh = f"access-{serial}", f"refresh-{serial}"
            self.access_tokens.add(access)
            self.refresh_tokens.add(new_refresh)
        answer: dict[str, Any] = {"access_token": access, "refresh_token": new_refresh}
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        return JSONResponse(answer)


def check_body(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "body must be an object"
    recipient, message = body.get("recipient"), body.get("message")
    if not isinstance(recipient, dict) or len(recipient) != 1:
        return "recipient needs exactly one of message_id, user_id"
    [(kind, value)] = recipient.items()
    if kind not in ("message_id", "user_id") or not isinstance(value, str) or not value:
        return "recipient needs exactly one of message_id, user_id"
    if not isinstance(message, dict):
        return "message must be an object"
    text, attachment = message.get("text"), message.get("attachment")
    if text is None and attachment is None:
        return "message needs text or an attachment"
    if text is not None:
        if not isinstance(text, str) or not text.strip():
            return "text must be a non-empty string"
        if len(text.encode("utf-16-le")) // 2 > MAX_TEXT:
            return "text is longer than 2000 characters"
    if attachment is not None:
        return check_attachment(attachment)
    return None


def check_attachment(attachment: Any) -> str | None:
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        return "attachment must be a template"
    payload = attachment.get("payload")
    buttons = payload.get("buttons") if isinstance(payload, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        return f"template needs 1 to {MAX_BUTTONS} buttons"
    for button in buttons:
        if not isinstance(button, dict):
            return "button must be an object"
        title, kind, value = button.get("title"), button.get("type"), button.get("payload")
        if not isinstance(title, str) or not 1 <= len(title) <= MAX_TITLE:
            return "button title must be 1 to 100 characters"
        if kind not in BUTTON_TYPES:
            return f"unknown button type {kind!r}"
        if kind in ("oa.query.show", "oa.query.hide"):
            if not isinstance(value, str) or not 1 <= len(value) <= MAX_QUERY_PAYLOAD:
                return "query payload must be 1 to 1000 characters"
        elif kind in ("oa.open.phone", "oa.open.sms"):
            phone = value.get("phone_code") if isinstance(value, dict) else None
            if not isinstance(phone, str) or not phone.lstrip("+").isdigit():
                return "phone_code must be a phone number"
        elif kind == "oa.open.url":
            url = value.get("url") if isinstance(value, dict) else None
            if not isinstance(url, str) or not url.startswith(("https://", "http://")):
                return "url must be http(s)"
    return None


def _error(code: int, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message})


def _oauth_error(code: int, name: str) -> JSONResponse:
    return JSONResponse({"error": code, "error_name": name, "error_description": name})


# ---------------------------------------------------------------------------- events
def event(
    name: str,
    user_id: str = USER_ID,
    *,
    text: str | None = None,
    msg_id: str | None = None,
    timestamp: str | None = None,
    app_id: str = APP_ID,
    **extra: Any,
) -> dict[str, Any]:
    """A webhook event as Zalo sends it (ids and timestamp in milliseconds as strings)."""
    payload: dict[str, Any] = {
        "event_name": name,
        "app_id": app_id,
        "sender": {"id": user_id},
        "recipient": {"id": OA_ID},
        "timestamp": timestamp or str(int(time.time() * 1000)),
        "user_id_by_app": "979122185046046317",
    }
    if name == "follow":
        payload["follower"] = {"id": user_id}
        payload["sender"] = {"id": OA_ID}
        payload["source"] = "testing"
    elif name.startswith(("user_send_", "anonymous_send_")):
        message: dict[str, Any] = {"msg_id": msg_id or f"m{time.time_ns():x}"}
        if text is not None:
            message["text"] = text
        payload["message"] = message
    payload.update(extra)
    return payload


def signed(
    payload: dict[str, Any], secret_key: str = OA_SECRET_KEY, prefix: str = "mac="
) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers Zalo would POST for `payload` (compact JSON, UTF-8)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signed_text = str(payload["app_id"]).encode() + body + str(payload["timestamp"]).encode()
    digest = hashlib.sha256(signed_text + secret_key.encode()).hexdigest()
    return body, {"content-type": "application/json", "X-ZEvent-Signature": prefix + digest}
