"""The counsellors' live inbox (#15): its JSON API under /staff/api and its page at /staff/inbox.

The API is a contract other tools use (a counsellor's mobile client, the tests), and the
page is one client of it:

- `GET  /staff/api/session` → `{"user", "role", "csrf"}`
- `POST /staff/api/duty` `{"available": bool}` → on or off duty
- `GET  /staff/api/handoffs` → `{"handoffs": [{"id", "state", "channel", "urgent",
  "waiting_s", ...}]}`, urgent first, then longest waiting (`?closed=1` adds closed ones)
- `GET  /staff/api/handoffs/{id}` → the same plus `"messages": [{"from", "text", "at"}]`
  and the private notes; every read is written to the audit log
- `POST /staff/api/handoffs/{id}/claim`, `/messages` `{"text"}`, `/notes` `{"text"}`,
  `/transfer` `{"to"}`, `/close` `{"outcome"}`, `/alert/ack`
- `GET  /staff/api/events`: server-sent events; `change` whenever the queue or a case
  changes (the page then refetches), so nothing needs a reload.

Only a logged-in `counsellor` or `admin` may use it (the session endpoint answers any staff
user, so a client can tell who it is). Every state-changing call must send the session's
CSRF token in `X-CSRF-Token` and come from this site (Origin, else Referer).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from bot.features import Feature
from bot.http import read_json_object
from bot.settings import Settings
from bot.staff.auth import AuthStore, Session, auth_store, csrf_matches
from bot.staff.routes import COOKIE, LOGIN_PATH, PREFIX, same_origin
from handlers.handoff import OUTCOMES, HandoffError, HandoffService
from handlers.pipeline import Assistant

log = logging.getLogger(__name__)

API = f"{PREFIX}/api"
INBOX_PATH = f"{PREFIX}/inbox"
HERE = Path(__file__).resolve().parent
ASSETS = {
    "inbox.js": "text/javascript; charset=utf-8",
    "inbox.css": "text/css; charset=utf-8",
}
EVENT_POLL_SECONDS = 0.5
HOUSEKEEPING_SECONDS = 60.0
HEARTBEAT_SECONDS = 15.0
MAX_TEXT_CHARS = 4000
# The inbox runs its own script (the rest of the desk has none): allow only this site's.
INBOX_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

Handler = Callable[[Request, Session], Awaitable[Response]]


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": message}, status_code=status, headers={"Cache-Control": "no-store"}
    )


class Inbox:
    def __init__(
        self, settings: Settings, auth: AuthStore, handoff: HandoffService, desk_url: str
    ) -> None:
        self.settings = settings
        self.auth = auth
        self.handoff = handoff
        self.desk_url = desk_url
        self.assets = {name: self._load(name, media) for name, media in ASSETS.items()}
        self.page_html = (HERE / "templates" / "inbox.html").read_text(encoding="utf-8")

    @staticmethod
    def _load(name: str, media_type: str) -> tuple[bytes, str, str]:
        body = (HERE / "static" / name).read_bytes()
        return body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'

    def routes(self) -> list[BaseRoute]:
        case = f"{API}/handoffs/{{case_id:int}}"
        return [
            Route(INBOX_PATH, self.page, methods=["GET"]),
            Route(f"{PREFIX}/inbox/{{name:str}}", self.asset, methods=["GET"]),
            Route(f"{API}/session", self.guard(self.session, counsellor=False), methods=["GET"]),
            Route(f"{API}/duty", self.guard(self.duty), methods=["POST"]),
            Route(f"{API}/handoffs", self.guard(self.list_cases), methods=["GET"]),
            Route(case, self.guard(self.read_case), methods=["GET"]),
            Route(f"{case}/claim", self.guard(self.claim), methods=["POST"]),
            Route(f"{case}/messages", self.guard(self.send), methods=["POST"]),
            Route(f"{case}/notes", self.guard(self.note), methods=["POST"]),
            Route(f"{case}/transfer", self.guard(self.transfer), methods=["POST"]),
            Route(f"{case}/close", self.guard(self.close), methods=["POST"]),
            Route(f"{case}/alert/ack", self.guard(self.ack_alert), methods=["POST"]),
            Route(f"{API}/events", self.guard(self.events), methods=["GET"]),
        ]

    # ------------------------------------------------------------------ plumbing
    def guard(
        self, handler: Handler, *, counsellor: bool = True
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session = await run_in_threadpool(self.auth.session, request.cookies.get(COOKIE))
            if session is None:
                return error(401, "login required")
            if request.method != "GET":
                token = request.headers.get("x-csrf-token")
                if not same_origin(request) or not csrf_matches(session, token):
                    return error(403, "CSRF check failed: send X-CSRF-Token from this site")
            if counsellor and not session.user.can_counsel:
                return error(403, "for counsellors and admins only")
            try:
                return await handler(request, session)
            except HandoffError as exc:
                return error(exc.status, exc.message)

        return endpoint

    async def _audit(
        self, session: Session, action: str, case_id: int | None, detail: str = ""
    ) -> None:
        await run_in_threadpool(self.auth.audit, session.username, action, case_id, detail or None)

    @staticmethod
    def _json(payload: dict[str, Any], status: int = 200) -> JSONResponse:
        return JSONResponse(payload, status_code=status, headers={"Cache-Control": "no-store"})

    # ------------------------------------------------------------------ page
    async def page(self, request: Request) -> Response:
        session = await run_in_threadpool(self.auth.session, request.cookies.get(COOKIE))
        if session is None:
            return RedirectResponse(f"{LOGIN_PATH}?next=%2Fstaff%2Finbox", status_code=303)
        headers = {"Content-Security-Policy": INBOX_CSP, "Cache-Control": "no-store"}
        return Response(self.page_html, media_type="text/html; charset=utf-8", headers=headers)

    async def asset(self, request: Request) -> Response:
        found = self.assets.get(request.path_params["name"])
        if found is None:
            return error(404, "no such file")
        body, media_type, etag = found
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    # ------------------------------------------------------------------ API
    async def session(self, request: Request, session: Session) -> Response:
        return self._json(
            {"user": session.username, "role": session.user.role, "csrf": session.csrf_token}
        )

    async def duty(self, request: Request, session: Session) -> Response:
        payload = await read_json_object(request)
        if isinstance(payload, Response):
            return payload
        available = payload.get("available")
        if not isinstance(available, bool):
            return error(422, '"available" must be true or false')
        await run_in_threadpool(self.handoff.set_duty, session.username, available)
        await self._audit(session, "duty_on" if available else "duty_off", None)
        return self._json({"available": available})

    async def list_cases(self, request: Request, session: Session) -> Response:
        closed = request.query_params.get("closed") == "1"

        def build() -> dict[str, Any]:
            cases = [view.summary() for view in self.handoff.queue(include_closed=closed)]
            return {
                "handoffs": cases,
                "on_duty": self.handoff.is_on_duty(session.username),
                "counsellors_on_duty": self.handoff.on_duty(),
                "hours_open": self.handoff.hours_open(),
                "alerts": [
                    {"id": a.id, "channel": a.channel, "case_id": a.case_id, "at": a.at}
                    for a in self.handoff.store.alerts(self.handoff.clock() - 3600)
                ],
                "outcomes": OUTCOMES,
                "version": self.handoff.version(),
            }

        return self._json(await run_in_threadpool(build))

    async def read_case(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        view = await run_in_threadpool(self.handoff.case, case_id)
        await self._audit(session, "case_read", case_id)
        return self._json(view.detail())

    async def claim(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        row = await run_in_threadpool(self.handoff.claim, case_id, session.username)
        await self._audit(session, "case_claim", case_id)
        return self._json({"id": row.id, "state": row.state, "counsellor": row.counsellor})

    async def _text(self, request: Request) -> str | Response:
        payload = await read_json_object(request)
        if isinstance(payload, Response):
            return payload
        text = payload.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(422, '"text" must be a non-empty string')
        if len(text) > MAX_TEXT_CHARS:
            return error(413, f'"text" is longer than {MAX_TEXT_CHARS} characters')
        return text

    async def send(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        text = await self._text(request)
        if isinstance(text, Response):
            return text
        admin = session.user.is_admin
        seq = await run_in_threadpool(self.handoff.send, case_id, session.username, text, admin)
        await self._audit(session, "case_message", case_id)
        return self._json({"seq": seq}, status=201)

    async def note(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        text = await self._text(request)
        if isinstance(text, Response):
            return text
        note_id = await run_in_threadpool(self.handoff.note, case_id, session.username, text)
        await self._audit(session, "case_note", case_id)
        return self._json({"id": note_id}, status=201)

    async def transfer(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        payload = await read_json_object(request)
        if isinstance(payload, Response):
            return payload
        to = payload.get("to")
        target = await run_in_threadpool(self.auth.get_user, to) if isinstance(to, str) else None
        if target is None or not target.can_counsel:
            return error(422, '"to" must name a counsellor or admin')
        admin = session.user.is_admin
        await run_in_threadpool(
            self.handoff.transfer, case_id, session.username, target.username, admin
        )
        await self._audit(session, "case_transfer", case_id, f"→ {target.username}")
        return self._json({"id": case_id, "counsellor": target.username})

    async def close(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        payload = await read_json_object(request)
        if isinstance(payload, Response):
            return payload
        outcome = payload.get("outcome")
        if not isinstance(outcome, str):
            return error(422, f'"outcome" must be one of: {", ".join(OUTCOMES)}')
        admin = session.user.is_admin
        row = await run_in_threadpool(self.handoff.close, case_id, session.username, outcome, admin)
        await self._audit(session, "case_close", case_id, outcome)
        return self._json({"id": row.id, "state": row.state, "outcome": row.outcome})

    async def ack_alert(self, request: Request, session: Session) -> Response:
        case_id = int(request.path_params["case_id"])
        await run_in_threadpool(self.handoff.acknowledge_alert, case_id)
        await self._audit(session, "case_alert_ack", case_id)
        return self._json({"id": case_id, "alert": False})

    async def events(self, request: Request, session: Session) -> Response:
        """Server-sent events: `change` with the queue's version whenever anything changes."""

        async def stream() -> AsyncIterator[str]:
            seen = -1
            quiet = 0.0
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                version = await run_in_threadpool(self.handoff.version)
                if version != seen:
                    seen = version
                    quiet = 0.0
                    yield f"event: change\ndata: {json.dumps({'version': version})}\n\n"
                elif quiet >= HEARTBEAT_SECONDS:
                    quiet = 0.0
                    yield ": keep-alive\n\n"
                await asyncio.sleep(EVENT_POLL_SECONDS)
                quiet += EVENT_POLL_SECONDS

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def desk_url(settings: Settings) -> str:
    base = (settings.public_url or "").rstrip("/")
    return f"{base}{INBOX_PATH}" if base else INBOX_PATH


class Housekeeper:
    """Every minute: close idle cases, drop reply addresses left behind, purge old records."""

    def __init__(self, handoff: HandoffService, interval: float = HOUSEKEEPING_SECONDS) -> None:
        self.handoff = handoff
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="handoff-housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                done = await run_in_threadpool(self.handoff.housekeeping)
                if any(done.values()):
                    log.info("handoff housekeeping: %s", done)
            except Exception:
                log.exception("handoff housekeeping failed")
            await asyncio.sleep(self.interval)


OFF_PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hộp thư tư vấn</title><link rel="stylesheet" href="/staff/static/staff.css"></head>
<body><main class="main"><h1>Hộp thư tư vấn chưa bật</h1>
<p>Chuyển cuộc trò chuyện cho tư vấn viên đang tắt ở máy chủ này
(<code>CHILDSAFE_HANDOFF=true</code>, xem docs/handoff.md).</p>
<p><a href="/staff">← Bàn làm việc</a></p></main></body></html>"""


async def handoff_off(request: Request) -> Response:
    return Response(OFF_PAGE, status_code=404, media_type="text/html; charset=utf-8")


CHANNEL_NAMES = {"web": "web chat", "telegram": "Telegram", "zalo": "Zalo"}
ALERT_POLL_SECONDS = 2.0


def alert_text(counts: dict[str, int], link: str) -> str:
    """The staff group's message: that urgent conversations wait, where, and the desk's link.
    Never the message text, never who wrote it."""
    where = ", ".join(f"{n} trên {CHANNEL_NAMES.get(c, c)}" for c, n in sorted(counts.items()))
    return f"⚠️ Có tin nhắn khẩn cấp đang chờ tư vấn viên ({where}).\nMở hộp thư tư vấn: {link}"


class StaffAlerts:
    """Tells a staff Telegram group (CHILDSAFE_STAFF_ALERT_CHAT) when urgent messages come in,
    one message per batch, through the Bot API. Runs in the web app; with several worker
    processes each alert is taken (and sent) by exactly one."""

    def __init__(
        self,
        handoff: HandoffService,
        settings: Settings,
        link: str,
        transport: httpx.AsyncBaseTransport | None = None,
        interval: float = ALERT_POLL_SECONDS,
    ) -> None:
        assert settings.telegram_token and settings.staff_alert_chat
        self.handoff = handoff
        chat = settings.staff_alert_chat.strip()
        # a numeric id (a group's is negative) or a public @channelusername
        self.chat_id: int | str = int(chat) if chat.lstrip("-").isdigit() else chat
        self.url = (
            f"{settings.telegram_api_base_url.rstrip('/')}{settings.telegram_token}/sendMessage"
        )
        self.link = link
        self.interval = interval
        self._transport = transport
        self._task: asyncio.Task[None] | None = None
        self._unsent: dict[str, int] = {}

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="staff-alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def send_due(self, client: httpx.AsyncClient) -> bool:
        for alert in await run_in_threadpool(self.handoff.store.take_unnotified_alerts):
            self._unsent[alert.channel] = self._unsent.get(alert.channel, 0) + 1
        if not self._unsent:
            return False
        body = {"chat_id": self.chat_id, "text": alert_text(self._unsent, self.link)}
        try:
            response = await client.post(self.url, json=body)
            sent = response.status_code == 200 and bool(response.json().get("ok"))
        except (httpx.HTTPError, ValueError):
            sent = False
        if sent:
            self._unsent.clear()
        else:  # kept, and sent with the next batch
            log.warning("staff alert to Telegram not sent; trying again")
        return sent

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=10.0, transport=self._transport) as client:
            while True:
                try:
                    await self.send_due(client)
                except Exception:
                    log.exception("staff alerts failed")
                await asyncio.sleep(self.interval)


def feature(settings: Settings, assistant: Assistant) -> Feature | None:
    if assistant.handoff is None:  # the desk's link still leads somewhere that says why
        return Feature(name="inbox", routes=[Route(INBOX_PATH, handoff_off, methods=["GET"])])
    auth = auth_store(settings)
    inbox = Inbox(settings, auth, assistant.handoff, desk_url(settings))
    keeper = Housekeeper(assistant.handoff)
    on_startup: list[Callable[[], Awaitable[None]]] = [keeper.start]
    on_shutdown: list[Callable[[], Awaitable[None]]] = [keeper.stop]
    if settings.staff_alert_chat:
        settings.require("telegram_token")  # the group is told through the bot
        link = desk_url(settings)
        if not link.startswith("http"):
            log.warning("staff alerts: set CHILDSAFE_PUBLIC_URL so the alert links to the desk")
        alerts = StaffAlerts(assistant.handoff, settings, link)
        on_startup.append(alerts.start)
        on_shutdown.append(alerts.stop)
    return Feature(
        name="inbox",
        routes=inbox.routes(),
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        description=f"hộp thư tư vấn viên (chuyển cuộc trò chuyện cho người thật) tại {INBOX_PATH}",
    )
