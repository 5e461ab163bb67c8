"""A minimal loopback stand-in for the Telegram Bot API, so the benchmark's replies go
nowhere: `python -m bench.botapi PORT`.

It answers the methods the channel calls (`getMe`, `setWebhook`, `setMyCommands`,
`sendChatAction`, `sendMessage`, ...) in the documented `{"ok": true, "result": ...}` shape
and counts them; `GET /stats` returns the counts. (The tests use the stricter fake in
tests/fake_telegram.py; this one only has to be cheap and correct in shape.)
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT = {
    "id": 424242,
    "is_bot": True,
    "first_name": "Trợ lý (benchmark)",
    "username": "childsafe_bench_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


def build_app() -> Starlette:
    calls: Counter[str] = Counter()
    message_ids = itertools.count(1)

    async def method(request: Request) -> JSONResponse:
        name = request.path_params["method"]
        calls[name] += 1
        params = await _params(request)
        result: Any = True
        if name == "getMe":
            result = BOT
        elif name == "sendMessage":
            chat_id = int(params.get("chat_id") or 0)
            result = {
                "message_id": next(message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT["id"], "is_bot": True, "first_name": BOT["first_name"]},
                "text": str(params.get("text") or ""),
            }
        elif name == "getWebhookInfo":
            result = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return JSONResponse({"ok": True, "result": result})

    async def stats(request: Request) -> JSONResponse:
        return JSONResponse(dict(calls))

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", method, methods=["GET", "POST"]),
            Route("/stats", stats, methods=["GET"]),
        ]
    )


async def _params(request: Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        try:
            value = json.loads(body or b"{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def main(argv: list[str]) -> int:
    port = int(argv[0]) if argv else 8081
    uvicorn.run(build_app(), host="127.0.0.1", port=port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
