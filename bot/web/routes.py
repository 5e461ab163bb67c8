"""Routes of the web chat: the page, the embeddable widget, their assets, and `/api/erase`.

The page and the widget both talk to the core's `POST /api/chat`. The widget opens an
iframe to `/embed` (same origin as the API), so a host site's own scripts never see
the conversation; `CHILDSAFE_CORS_ORIGINS` lists the sites allowed to frame it and to
call the API directly from their pages.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.features import Feature
from bot.http import error, read_json_object, status_html
from bot.settings import Settings
from bot.web.branding import BRAND_CSS_PATH, DEFAULT_LOGO, LOGO_PATH, Brand, Logo, brand_from
from bot.web.cors import ApiCorsMiddleware
from bot.web.security import allowed_origins, asset_headers, checked_exit_url, page_headers
from content.base import DIRECTIVES_DIR, markup_to_html, registry_documents, render_text
from handlers.pipeline import Assistant

STATIC_DIR = Path(__file__).resolve().parent / "static"
CHANNEL = "web"
MAX_SESSION_CHARS = 128  # the core's limit for `session` on /api/chat
API_PATHS = frozenset({"/api/chat", "/api/erase", "/api/chat/updates"})
MAX_WAIT_SECONDS = 25.0  # a long-poll holds at most this long (under common proxy timeouts)
POLL_STEP_SECONDS = 0.5
SOURCES_PREFIX = "/sources/"  # registry urls of the five source directives

ASSET_TYPES = {
    "chat.css": "text/css; charset=utf-8",
    "chat.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
}


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    media_type: str
    etag: str

    @classmethod
    def load(cls, name: str, media_type: str, folder: Path = STATIC_DIR) -> Asset:
        return cls.of((folder / name).read_bytes(), media_type)

    @classmethod
    def of(cls, body: bytes, media_type: str) -> Asset:
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')

    def response(self, request: Request) -> Response:
        headers = {**asset_headers(), "ETag": self.etag}
        if request.headers.get("if-none-match") == self.etag:
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def source_files() -> dict[str, Asset]:
    """The source directives the registry links as `/sources/<file>`: the answers' own
    sources, so a reader can open what an answer cites (content/directives/)."""
    files = {}
    for doc in registry_documents().values():
        if doc.url.startswith(SOURCES_PREFIX):
            name = doc.url.removeprefix(SOURCES_PREFIX)
            files[name] = Asset.load(name, "text/plain; charset=utf-8", DIRECTIVES_DIR)
    return files


WIDGET_COLOURS = ("#0b5394", "#083e70")  # widget.js's launcher: the shipped brand colours
WIDGET_LABEL = '"Hỏi trợ lý bảo vệ trẻ em"'


def branded_widget(brand: Brand) -> Asset:
    """widget.js with the centre's colour and name on its launcher button."""
    script = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    if brand.color is not None and brand.color_dark is not None:
        script = script.replace(WIDGET_COLOURS[0], brand.color)
        script = script.replace(WIDGET_COLOURS[1], brand.color_dark)
    if brand.name:
        script = script.replace(WIDGET_LABEL, json.dumps(f"Hỏi {brand.name}", ensure_ascii=False))
    return Asset.of(script.encode(), "text/javascript; charset=utf-8")


def render_page(
    name: str, exit_url: str, privacy_line: str = "", brand: Brand | None = None
) -> str:
    """A page from static/, with the settings it needs filled in (escaped)."""
    template = (STATIC_DIR / name).read_text(encoding="utf-8")
    template = (brand or NEUTRAL_BRAND).fill(template)
    template = template.replace("{{privacy_line}}", html.escape(privacy_line, quote=False))
    return template.replace("{{exit_url}}", html.escape(exit_url, quote=True))


PRIVACY_PATH = "/quyen-rieng-tu"
NEUTRAL_BRAND = Brand("", Logo(DEFAULT_LOGO), None, None, "", "", "")


def content_text(assistant: Assistant, answer_id: str) -> str:
    """An answer of the content base as this deployment says it (placeholders filled)."""
    content = assistant.content
    answer = content.answers[answer_id]
    return render_text(answer.text, assistant.deployment, content.documents, content.facts)


def privacy_page(assistant: Assistant) -> str:
    """The "Quyền riêng tư" page: the notice every channel shows (content: cmd.privacy)."""
    blocks: list[str] = []
    items: list[str] = []
    for line in content_text(assistant, "cmd.privacy").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("• "):
            items.append(f"<li>{markup_to_html(line[2:])}</li>")
            continue
        if items:
            blocks.append("<ul>" + "".join(items) + "</ul>")
            items = []
        blocks.append(f"<p>{markup_to_html(line)}</p>")
    if items:
        blocks.append("<ul>" + "".join(items) + "</ul>")
    body = "\n".join(blocks)
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Quyền riêng tư – Trợ lý bảo vệ trẻ em</title>
<link rel="stylesheet" href="/web/chat.css">
</head>
<body class="notice-page">
<main class="notice">
<h1>Quyền riêng tư</h1>
{body}
<p><a href="/">← Quay lại trò chuyện</a></p>
</main>
</body>
</html>"""


def feature(settings: Settings, assistant: Assistant) -> Feature:
    exit_url = checked_exit_url(settings.web_exit_url)
    origins = allowed_origins(settings.cors_origin_list)
    privacy_line = content_text(assistant, "privacy.short").strip()
    brand = brand_from(settings, assistant.deployment)
    pages = {
        name: render_page(name, exit_url, privacy_line, brand)
        for name in ("index.html", "embed.html", "neutral.html")
    }
    pages[PRIVACY_PATH] = privacy_page(assistant)
    assets = {name: Asset.load(name, media_type) for name, media_type in ASSET_TYPES.items()}
    widget = branded_widget(brand)
    assets[BRAND_CSS_PATH.removeprefix("/web/")] = Asset.of(
        brand.css().encode(), "text/css; charset=utf-8"
    )
    if brand.logo.file is not None:
        logo = Asset.of(brand.logo.file.read_bytes(), brand.logo.media_type)
        assets[LOGO_PATH.removeprefix("/web/")] = logo
    directives = source_files()

    def page(name: str, frameable_by: frozenset[str] | None = None) -> HTMLResponse:
        headers = page_headers(frameable_by, brand.image_origins)
        return HTMLResponse(pages[name], headers=headers)

    async def chat_page(request: Request) -> Response:
        return page("index.html")

    async def privacy_notice(request: Request) -> Response:
        return page(PRIVACY_PATH)

    async def embed_page(request: Request) -> Response:
        return page("embed.html", frameable_by=origins)

    async def neutral_page(request: Request) -> Response:
        return page("neutral.html")

    async def widget_script(request: Request) -> Response:
        return widget.response(request)

    async def asset(request: Request) -> Response:
        found = assets.get(request.path_params["name"])
        if found is None:
            return error(404, "no such file")
        return found.response(request)

    async def source_file(request: Request) -> Response:
        found = directives.get(request.path_params["name"])
        if found is None:
            return error(404, "no such source")
        return found.response(request)

    async def status(request: Request) -> Response:
        state = request.app.state
        body = status_html(state.settings, state.assistant, state.features)
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    async def erase(request: Request) -> Response:
        payload = await read_json_object(request)
        if isinstance(payload, Response):
            return payload
        session = payload.get("session")
        if not isinstance(session, str) or not session or len(session) > MAX_SESSION_CHARS:
            limit = MAX_SESSION_CHARS
            return error(422, f'"session" must be a non-empty string of at most {limit} characters')
        result = await run_in_threadpool(assistant.erase, CHANNEL, session)
        if not result.ok:  # locked, full or unwritable: say so, never "erased"
            return JSONResponse(
                {"erased": 0, "ok": False, "error": "could not erase now; try again"},
                status_code=503,
                headers={"Cache-Control": "no-store", "Retry-After": "5"},
            )
        return JSONResponse(
            {"erased": result.rows, "ok": True}, headers={"Cache-Control": "no-store"}
        )

    async def updates(request: Request) -> Response:
        """What a counsellor (or the handoff itself) sent this session after `after`:
        `{"messages": [{"seq", "from", "text"}], "open": bool}`. With `wait=S` (at most 25)
        the request is held until something arrives or S seconds pass (a long-poll)."""
        params = request.query_params
        session = params.get("session", "")
        if not session or len(session) > MAX_SESSION_CHARS:
            limit = MAX_SESSION_CHARS
            return error(422, f'"session" must be a non-empty string of at most {limit} characters')
        try:
            after = int(params.get("after", "0"))
            wait = min(MAX_WAIT_SECONDS, max(0.0, float(params.get("wait", "0"))))
        except ValueError:
            return error(422, '"after" must be an integer and "wait" a number of seconds')
        key = assistant.user_key(CHANNEL, session)
        handoff = assistant.handoff
        headers = {"Cache-Control": "no-store"}
        if handoff is None or key is None:
            return JSONResponse({"messages": [], "open": False}, headers=headers)
        deadline = time.monotonic() + wait
        while True:
            lines, is_open = await run_in_threadpool(handoff.updates, key, after)
            if lines or time.monotonic() >= deadline or await request.is_disconnected():
                break
            await asyncio.sleep(POLL_STEP_SECONDS)
        messages = [{"seq": m.seq, "from": m.sender, "text": m.text} for m in lines]
        return JSONResponse({"messages": messages, "open": is_open}, headers=headers)

    routes: list[BaseRoute] = [
        Route("/", chat_page, methods=["GET"]),
        Route("/api/chat/updates", updates, methods=["GET"]),
        Route("/embed", embed_page, methods=["GET"]),
        Route("/neutral", neutral_page, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        Route(PRIVACY_PATH, privacy_notice, methods=["GET"]),
        Route("/widget.js", widget_script, methods=["GET"]),
        Route("/web/{name:str}", asset, methods=["GET"]),
        Route(SOURCES_PREFIX + "{name:str}", source_file, methods=["GET"]),
        Route("/api/erase", erase, methods=["POST"]),
    ]
    embedders = ", ".join(sorted(origins)) or "this site only"
    return Feature(
        name="web",
        routes=routes,
        middleware=[Middleware(ApiCorsMiddleware, origins=origins, paths=API_PATHS)],
        description=f"web chat at /, widget at /widget.js (embeddable by: {embedders})",
    )
