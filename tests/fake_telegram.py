"""A loopback fake of the Telegram Bot API, for tests that must never touch the network.

It speaks the documented contract of the methods the channel uses (URL
`/bot<token>/<method>`, form or JSON parameters, `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": ..., "description": ...}`), checks what Telegram checks
(the token, HTML that parses, text length after parsing, callback_data of 1-64 bytes,
button URLs, command names, secret tokens), and records every call so tests can assert
on the parameters the bot really sent.

Serve it with `tests.servers.serve(fake.app)`; point the bot at `<url>/bot`.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOKEN = "123:ABC"
BOT_ID = 123
BOT_USERNAME = "childsafe_test_bot"
LONG_POLL_CAP_SECONDS = 1.0

# Parameters that Telegram takes as plain strings; everything else arrives JSON-encoded.
STRING_PARAMS = frozenset(
    {"text", "parse_mode", "url", "secret_token", "action", "callback_query_id", "caption"}
)
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"tg-spoiler", "span", "blockquote", "tg-emoji"}
)
BUTTON_URL_SCHEMES = ("http://", "https://", "tg://")
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: dict[str, Any]
    path: str  # the URL path as requested, token included

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """The inline keyboard's buttons, row after row."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


class ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass
class FakeTelegram:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)  # messages sendMessage made
    url: str = ""  # set once served
    send_delay: float = 0.0  # seconds sendMessage takes (a slow network), before it is recorded

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._message_ids = itertools.count(10_000)
        self._update_ids = itertools.count(1)
        self._failures: dict[str, list[tuple[int, str]]] = {}
        self.app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )

    # ------------------------------------------------------------------ test helpers
    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (polling)."""
        with self._lock:
            self._updates.append(update)

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def fail_next(self, method: str, code: int, description: str) -> None:
        """The next call of `method` fails as Telegram would fail it."""
        with self._lock:
            self._failures.setdefault(method, []).append((code, description))

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c for c in self.calls_to("sendMessage") if chat_id is None or c["chat_id"] == chat_id
        ]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def wait_for(
        self,
        method: str,
        where: Callable[[Call], bool] = lambda call: True,
        count: int = 1,
        timeout: float = 20.0,
    ) -> list[Call]:
        """Block until `count` matching calls were made (for apps running in other threads)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls_to(method) if where(c)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{method}: {len(found)} of {count} expected calls")
            time.sleep(0.02)

    # ------------------------------------------------------------------ the API
    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        if request.path_params["token"] != self.token:
            return _failure(401, "Unauthorized")
        params = await _read_params(request)
        if method == "sendMessage" and self.send_delay:
            await asyncio.sleep(self.send_delay)
        with self._lock:
            self.calls.append(Call(method, params, request.url.path))
            failures = self._failures.get(method)
            failure = failures.pop(0) if failures else None
        if failure is not None:
            return _failure(*failure)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _failure(404, "Not Found: method not found")
        try:
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as exc:
            return _failure(exc.code, exc.description)
        return JSONResponse({"ok": True, "result": result})

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Trợ lý bảo vệ trẻ em",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _require(params, "chat_id")
        text = str(params.get("text") or "")
        shown = parse_html(text) if params.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(shown.encode("utf-16-le")) // 2 > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        _check_markup(params.get("reply_markup"))
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if int(chat_id) > 0 else "supergroup"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý"},
            "text": shown,
        }
        with self._lock:
            self.delivered.append(message)
        return message

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        _require(params, "chat_id")
        if params.get("action") not in {"typing", "upload_photo", "record_voice"}:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        _require(params, "callback_query_id")
        return True

    def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        _require(params, "chat_id")
        _require(params, "message_id")
        return True

    def _api_deleteMessages(self, params: dict[str, Any]) -> bool:
        _require(params, "chat_id")
        ids = _require(params, "message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise ApiError(400, "Bad Request: message_ids must contain 1-100 ids")
        return True

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = _require(params, "commands")
        for command in commands:
            if not COMMAND_NAME.fullmatch(command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: command description is invalid")
        self.commands = commands
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        url = _require(params, "url")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, **params}
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = min(float(params.get("timeout") or 0), LONG_POLL_CAP_SECONDS)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)


# ---------------------------------------------------------------------------- helpers
async def _read_params(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    raw: dict[str, Any]
    if content_type.startswith("application/json"):
        body = await request.body()
        raw = json.loads(body) if body else {}
        return raw
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        raw = {k: v for k, v in form.items() if isinstance(v, str)}
    else:
        raw = dict(request.query_params)
    return {k: v if k in STRING_PARAMS else _json_or_str(v) for k, v in raw.items()}


def _json_or_str(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _require(params: dict[str, Any], name: str) -> Any:
    if params.get(name) in (None, ""):
        raise ApiError(400, f"Bad Request: {name} is empty")
    return params[name]


def _failure(code: int, description: str) -> JSONResponse:
    return JSONResponse(
        {"ok": False, "error_code": code, "description": description}, status_code=code
    )


class _EntityParser(HTMLParser):
    """Telegram's HTML mode: known tags, properly nested; only a few named entities."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported start tag {tag}")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f"Bad Request: can't parse entities: unmatched end tag {tag}")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise ApiError(400, "Bad Request: can't parse entities: unescaped < or >")
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in {"lt", "gt", "amp", "quot"}:
            raise ApiError(400, f"Bad Request: can't parse entities: unsupported entity {name}")
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


def parse_html(text: str) -> str:
    if re.search(r"&(?!(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);)", text):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped &")
    if re.search(r"<(?![a-zA-Z/])", text):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped <")
    parser = _EntityParser()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ApiError(400, f"Bad Request: can't parse entities: unclosed {parser.stack[-1]}")
    return "".join(parser.text)


def _check_markup(markup: Any) -> None:
    if markup is None:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: button text is empty")
            data, url = button.get("callback_data"), button.get("url")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if url is not None and not url.startswith(BUTTON_URL_SCHEMES):
                raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            if data is None and url is None:
                raise ApiError(400, "Bad Request: button has no action")


# ---------------------------------------------------------------------------- updates
# Builders of the JSON Telegram sends, for `Update.de_json`, the webhook and getUpdates.
USER_ID = 5550001
GROUP_ID = -100777
_ids = itertools.count(1)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def user(user_id: int = USER_ID, first_name: str = "Lan") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}


def chat(chat_id: int = USER_ID) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Lan"}
    return {"id": chat_id, "type": "supergroup", "title": "Lớp 7A phụ huynh"}


def message_update(
    text: str | None = None,
    *,
    user_id: int = USER_ID,
    chat_id: int | None = None,
    message_id: int | None = None,
    edited: bool = False,
    reply_to_bot: bool = False,
    mention: str | None = None,
    **content: Any,
) -> dict[str, Any]:
    """A message update; `content` adds fields such as photo=..., caption=..., voice=...."""
    number = next(_ids)
    message: dict[str, Any] = {
        "message_id": message_id or 500 + number,
        "date": int(time.time()),
        "chat": chat(user_id if chat_id is None else chat_id),
        "from": user(user_id),
        **content,
    }
    if text is not None:
        message["text"] = text
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16(text.split()[0])})
        if mention and (at := text.find(mention)) >= 0:
            entities.append(
                {"type": "mention", "offset": _utf16(text[:at]), "length": _utf16(mention)}
            )
        if entities:
            message["entities"] = entities
    if reply_to_bot:
        message["reply_to_message"] = {
            "message_id": 1,
            "date": int(time.time()),
            "chat": message["chat"],
            "from": {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Trợ lý",
                "username": BOT_USERNAME,
            },
            "text": "Câu trả lời trước",
        }
    if edited:
        message["edit_date"] = int(time.time())
    return {"update_id": number, "edited_message" if edited else "message": message}


def callback_update(
    data: str, *, user_id: int = USER_ID, chat_id: int | None = None, message_id: int = 10_000
) -> dict[str, Any]:
    number = next(_ids)
    return {
        "update_id": number,
        "callback_query": {
            "id": f"cbq-{number}",
            "from": user(user_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat(user_id if chat_id is None else chat_id),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý"},
                "text": "Câu trả lời trước",
            },
        },
    }


def added_to_group_update(chat_id: int = GROUP_ID, by: int = USER_ID) -> dict[str, Any]:
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý", "username": BOT_USERNAME}
    return {
        "update_id": next(_ids),
        "my_chat_member": {
            "chat": chat(chat_id),
            "from": user(by),
            "date": int(time.time()),
            "old_chat_member": {"status": "left", "user": bot},
            "new_chat_member": {"status": "member", "user": bot},
        },
    }


_FILE = {"file_id": "AgAD-file", "file_unique_id": "u-file"}
ATTACHMENTS: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{**_FILE, "width": 90, "height": 90}]},
    "voice": {"voice": {**_FILE, "duration": 3}},
    "video": {"video": {**_FILE, "width": 90, "height": 90, "duration": 3}},
    "sticker": {
        "sticker": {
            **_FILE,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "document": {"document": {**_FILE, "file_name": "a.pdf"}},
    "location": {"location": {"latitude": 20.86, "longitude": 106.68}},
    "contact": {"contact": {"phone_number": "0900000000", "first_name": "Bình"}},
    "poll": {
        "poll": {
            "id": "p1",
            "question": "Đi đâu?",
            "options": [
                {"text": "A", "voter_count": 0, "persistent_id": "a"},
                {"text": "B", "voter_count": 0, "persistent_id": "b"},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
}
