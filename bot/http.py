"""Small HTTP helpers the app and its feature modules share.

They live here, not in `bot.app`, so that no feature module imports back from the app
that loads it (issue #19: imports run one way).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from bot.features import Feature
    from bot.settings import Settings
    from handlers.pipeline import Assistant


# How long a platform should wait before resending an update refused while busy or not ready
# (`Retry-After` on a webhook's 503). Telegram and Zalo resend on their own schedule; the
# header is the standard hint, and nothing refused was stored, so nothing is lost either way.
RETRY_AFTER_SECONDS = 5


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def busy(message: str) -> JSONResponse:
    """503 with `Retry-After`: refused before anything was stored; send it again later."""
    return error(503, message, {"Retry-After": str(RETRY_AFTER_SECONDS)})


async def read_json_object(request: Request) -> dict[str, Any] | JSONResponse:
    """The request's JSON object, or the 4xx response that says what is wrong with it."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return error(415, "Content-Type must be application/json")
    raw = await request.body()
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # too deep: not data
        return error(400, "body is not valid UTF-8 JSON")
    if not isinstance(payload, dict):
        return error(400, "body must be a JSON object")
    return payload


def status_html(
    settings: Settings, assistant: Assistant, features: list[Feature], detailed: bool = False
) -> str:
    """The status page. Without `detailed` (anyone may ask), only that the service is up: the
    features' descriptions name webhook paths, origins and staff counts, which are for staff
    (#17; logged-in staff read them at /staff/status)."""
    if not detailed:
        return """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trợ lý bảo vệ trẻ em</title></head><body>
<h1>Trợ lý thông tin bảo vệ trẻ em</h1>
<p>Đang chạy. Cần giúp ngay: gọi <a href="tel:111">111</a> (miễn phí, 24/7).</p>
</body></html>"""
    items = "".join(
        f"<li><b>{html.escape(f.name)}</b>: {html.escape(f.description)}</li>" for f in features
    )
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trợ lý bảo vệ trẻ em</title></head><body>
<h1>Trợ lý thông tin bảo vệ trẻ em</h1>
<p>Đang chạy. Cần giúp ngay: gọi <a href="tel:111">111</a> (miễn phí, 24/7).</p>
<ul>
<li><b>API</b>: <code>POST /api/chat</code> với <code>{{"text": ..., "session": ...}}</code></li>
<li><b>Health</b>: <code>GET /healthz</code></li>
<li><b>NLU</b>: {html.escape(assistant.engine.name)}</li>
{items}
</ul></body></html>"""
