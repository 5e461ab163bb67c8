"""CORS for the chat API, limited to configured origins and to the API paths.

Starlette's CORSMiddleware covers every path and answers refused preflights with
CORS headers of its own; here an origin that is not configured gets none at all,
and pages stay out of it.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.security import normalise_origin

ALLOWED_METHODS = frozenset({"POST"})
ALLOWED_HEADERS = frozenset({"content-type"})
PREFLIGHT_MAX_AGE_SECONDS = 600


class ApiCorsMiddleware:
    def __init__(self, app: ASGIApp, origins: frozenset[str], paths: frozenset[str]) -> None:
        self.app = app
        self.origins = origins
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and normalise_origin(origin) in self.origins
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            response = self._preflight(origin if allowed else None, headers)
            await response(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.add_vary_header("Origin")
                if allowed and origin is not None:
                    response_headers["Access-Control-Allow-Origin"] = origin
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _preflight(self, origin: str | None, headers: Headers) -> Response:
        method = headers.get("access-control-request-method", "").upper()
        requested = {
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        }
        if origin is None or method not in ALLOWED_METHODS or not requested <= ALLOWED_HEADERS:
            return Response(
                "CORS request refused\n",
                status_code=403,
                media_type="text/plain",
                headers={"Vary": "Origin"},
            )
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ", ".join(sorted(ALLOWED_METHODS)),
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
                "Vary": "Origin",
            },
        )
