"""The staff desk at /staff: overview, search, review queue, exports, audit log (Vietnamese UI).

Server-rendered pages (Jinja2), no script at all: charts are inline SVG (bot/staff/charts.py),
filters are GET forms, a label is a POST form per message. Reads go through
`handlers.logquery` on read-only connections; labels through `RequestLog.set_label`; users,
sessions, CSRF, lockout and the audit log through `bot.staff.auth.AuthStore`.

Who may do what: anyone logged in reads every page and downloads both exports; labelling
messages and reading the audit log need the `admin` role. Anonymous visitors are sent to
the login page (pages) or get 401 (downloads). Every state-changing POST must carry the
session's CSRF token and come from this site (Origin, or Referer when Origin is absent).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import math
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.features import Feature
from bot.http import status_html
from bot.settings import Settings
from bot.staff import charts
from bot.staff.auth import AuthStore, Session, auth_store, csrf_matches
from handlers import logquery
from handlers.logquery import (
    MISTAKE_LABELS,
    NOTE_LABELS,
    SECTION_KEYS,
    SECTIONS,
    SHOULD_BE_URGENT,
    SKIP_LABEL,
    Filters,
    LogUnavailable,
)
from handlers.pipeline import Assistant
from handlers.redact import PLACEHOLDERS, redact
from handlers.requestlog import VIETNAM, RequestLog
from handlers.topics import ALL_INTENTS, LABELS

log = logging.getLogger(__name__)

PREFIX = "/staff"
LOGIN_PATH = f"{PREFIX}/login"
COOKIE = "childsafe_staff"
HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_TYPES = {"staff.css": "text/css; charset=utf-8"}
PAGE_SIZE = 50
SECTION_PREVIEW = 10  # rows of each section on the review queue's first page
AUDIT_PAGE_SIZE = 100
DEFAULT_DAYS = 7
MAX_RANGE_DAYS = 366
MAX_FIELD_CHARS = 200  # query and form values are cut here (a search needs no more)

KNOWN_CHANNELS = ("web", "telegram", "zalo", "cli", "console", "api")
CHANNEL_LABELS = {
    "web": "Web",
    "telegram": "Telegram",
    "zalo": "Zalo",
    "cli": "Dòng lệnh (ask)",
    "console": "Dòng lệnh (chat)",
    "api": "API",
}
ROLE_LABELS = {
    "parent": "Phụ huynh",
    "student": "Học sinh",
    "teacher": "Giáo viên",
    "any": "Chưa rõ",
}
KIND_LABELS = {
    "answer": "Trả lời",
    "clarify": "Hỏi lại",
    "urgent": "Khẩn cấp",
    "fallback": "Không trả lời được",
    "command": "Lệnh",
    "notice": "Thông báo",
    "safety_check": "Hỏi có an toàn không",
    "smalltalk": "Trò chuyện",
    "erase": "Xóa dữ liệu",
    "handoff_queued": "Chờ tư vấn viên",
    "handoff_unavailable": "Ngoài giờ tư vấn",
    "handoff_forwarded": "Chuyển tư vấn viên",
}
DANGER_LABELS = {
    "fire": "Cháy",
    "drowning": "Đuối nước",
    "serious_injury": "Thương tích nặng",
    "poisoning": "Ngộ độc",
    "suicide_attempt": "Đang tự tử",
    "suicide_self_harm": "Ý nghĩ tự tử, tự hại",
    "violence": "Đang bị tấn công",
    "abuse": "Bạo hành",
    "sexual_assault": "Xâm hại tình dục",
    "abduction_missing": "Bắt cóc, mất tích",
    "sextortion": "Tống tiền bằng ảnh",
    "grooming": "Dụ dỗ trên mạng",
    "neglect": "Bỏ mặc",
    "runaway": "Bỏ nhà",
    "unspecified": "Xin giúp đỡ (chưa rõ)",
}
FEEDBACK_LABELS = {"wrong": "Nói “không đúng ý mình”", "person": "Xin gặp người"}
INTENT_LABELS = {
    **LABELS,
    "greet": "Chào hỏi",
    "goodbye": "Tạm biệt",
    "thanks": "Cảm ơn",
    "bot_challenge": "Hỏi về trợ lý",
    "out_of_scope": "Ngoài phạm vi",
    "help": "Hỏi cách dùng",
    SKIP_LABEL: "Bỏ qua",
    "?": "Chưa rõ",
}
ACTION_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_locked": "Đăng nhập khi đang bị khóa",
    "logout": "Đăng xuất",
    "search": "Tra cứu",
    "label": "Gán nhãn",
    "export_csv": "Xuất CSV",
    "export_training": "Xuất dữ liệu huấn luyện",
    "export_safety": "Xuất dữ liệu an toàn",
    "conversation": "Xem cuộc trò chuyện",
    "staff_add": "Thêm tài khoản",
    "staff_remove": "Xóa tài khoản",
    "staff_passwd": "Đổi mật khẩu",
    "staff_unlock": "Mở khóa đăng nhập",
}
ROLE_NAMES = {"viewer": "Xem", "counsellor": "Tư vấn viên", "admin": "Quản trị"}

LOGIN_FAILED = "Tên đăng nhập hoặc mật khẩu không đúng."
NOT_ALLOWED = "Trang này chỉ dành cho quản trị viên."
NO_LOG = "Chưa có nhật ký: chưa có tin nhắn nào được ghi lại."


# ---------------------------------------------------------------------------- headers


def staff_headers(secure: bool) -> dict[str, str]:
    """Headers on every /staff response: strict CSP (no script at all), no caching,
    no framing, no referrer outside this site (Origin still reaches us on our own POSTs)."""
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'none'",
            "style-src 'self'",
            "img-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {
        "Content-Security-Policy": csp,
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        "X-Robots-Tag": "noindex, nofollow",
    }
    if secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return headers


def is_staff_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class StaffHeadersMiddleware:
    """Adds `staff_headers` to every response under /staff (errors and redirects included);
    a header a route set itself (a stylesheet's caching) is kept."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.headers = staff_headers(secure)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_staff_path(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_origin(request: Request) -> bool:
    """The POST comes from a page of this site: its Origin (or, without one, its Referer)
    names the host the request was sent to. `Origin: null` never passes."""
    host = request.headers.get("host", "").lower()
    origin = request.headers.get("origin")
    source = origin if origin is not None else request.headers.get("referer")
    if not host or not source:
        return False
    parts = urlsplit(source)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host


def safe_next(value: str | None) -> str:
    """Where to go after login: a staff page of this site, nothing else (no open redirect)."""
    if not value or len(value) > 1000 or "\\" in value or not value.isprintable():
        return PREFIX
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not is_staff_path(parts.path):
        return PREFIX
    if parts.path in (LOGIN_PATH, f"{PREFIX}/logout"):
        return PREFIX
    return value


# ---------------------------------------------------------------------------- filters


@dataclass(slots=True)
class FilterForm:
    """The list's filters as typed in the form (echoed back), and what they mean."""

    q: str = ""
    intent: str = ""
    channel: str = ""
    urgent: str = ""  # "", "1", "0"
    labelled: str = ""  # "", "1", "0"
    since: str = ""
    until: str = ""
    min_conf: str = ""
    max_conf: str = ""
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> FilterForm:
        form = cls()
        for name in FILTER_FIELDS:
            setattr(form, name, str(params.get(name, "")).strip()[:MAX_FIELD_CHARS])
        return form

    def filters(self) -> Filters:
        """The query these values ask for; a value that makes no sense is reported in
        `errors` and left out."""
        self.errors.clear()
        since = self._date(self.since, "Từ ngày")
        until = self._date(self.until, "Đến ngày")
        if since and until and since > until:
            self.errors.append("“Từ ngày” ở sau “Đến ngày”; đã bỏ khoảng ngày.")
            since = until = None
        low = self._confidence(self.min_conf, "Độ tin cậy từ")
        high = self._confidence(self.max_conf, "Độ tin cậy đến")
        intent = self.intent if self.intent in INTENT_LABELS or self.intent in ALL_INTENTS else ""
        if self.intent and not intent:
            self.errors.append("Chủ đề không có trong danh sách; đã bỏ.")
        return Filters(
            since=since,
            until=until,
            intent=intent or None,
            channel=self.channel or None,
            urgent={"1": True, "0": False}.get(self.urgent),
            labelled={"1": True, "0": False}.get(self.labelled),
            min_confidence=low,
            max_confidence=high,
            text=self.q or None,
        )

    def _date(self, value: str, name: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.errors.append(f"“{name}” không phải ngày (YYYY-MM-DD); đã bỏ.")
            return None

    def _confidence(self, value: str, name: str) -> float | None:
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = math.nan
        if not 0.0 <= number <= 1.0:
            self.errors.append(f"“{name}” phải là số từ 0 đến 1; đã bỏ.")
            return None
        return number

    def given(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_FIELDS if getattr(self, name)}

    def query(self, **extra: Any) -> str:
        values: dict[str, Any] = {**self.given(), **{k: v for k, v in extra.items() if v}}
        return urlencode(values)

    def describe(self) -> str:
        """For the audit log: the filters, the search text redacted like the log itself."""
        parts = []
        for name, value in self.given().items():
            shown = redact(value).text if name == "q" else value
            parts.append(f"{name}={shown}")
        return "; ".join(parts)


FILTER_FIELDS = tuple(f.name for f in fields(FilterForm) if f.name != "errors")


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int
    total: int

    @property
    def count(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @classmethod
    def of(cls, raw: str | None, size: int, total: int) -> Page:
        try:
            number = int(raw or 1)
        except ValueError:
            number = 1
        pages = max(1, math.ceil(total / size))
        return cls(min(max(1, number), pages), size, total)


def parse_range(params: Mapping[str, str], today: dt.date) -> tuple[dt.date, dt.date, list[str]]:
    """The overview's dates: `since`/`until`, or `days` back from today (default 7)."""
    errors: list[str] = []
    until = today
    try:
        days = max(1, min(MAX_RANGE_DAYS, int(params.get("days") or DEFAULT_DAYS)))
    except ValueError:
        days = DEFAULT_DAYS
    since = until - dt.timedelta(days=days - 1)
    if params.get("since") or params.get("until"):
        try:
            until = dt.date.fromisoformat(params.get("until") or today.isoformat())
            since = dt.date.fromisoformat(
                params.get("since") or (until - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            )
        except ValueError:
            errors.append("Ngày không hợp lệ (YYYY-MM-DD); đang xem 7 ngày gần nhất.")
            until, since = today, today - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        errors.append("“Từ ngày” ở sau “Đến ngày”; đã đổi chỗ hai ngày.")
        since, until = until, since
    if (until - since).days >= MAX_RANGE_DAYS:
        errors.append(f"Tối đa {MAX_RANGE_DAYS} ngày; đã rút ngắn.")
        since = until - dt.timedelta(days=MAX_RANGE_DAYS - 1)
    return since, until, errors


# ---------------------------------------------------------------------------- display


def intent_label(intent: str | None) -> str:
    if not intent:
        return "Chưa rõ"
    return INTENT_LABELS.get(intent, intent)


def label_name(label: str | None) -> str:
    """A staff label as shown: a mistake's name, or the intent's."""
    if label in MISTAKE_LABELS:
        return MISTAKE_LABELS[label]
    return intent_label(label)


def danger_names(dangers: str | None) -> str:
    return ", ".join(DANGER_LABELS.get(d, d) for d in (dangers or "").split(",") if d)


def local_time(ts: str | None) -> str:
    if not ts:
        return ""
    try:
        return dt.datetime.fromisoformat(ts).astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return ts


def number(value: float | int | None) -> str:
    return "" if value is None else f"{value:,.0f}".replace(",", ".")


def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return f"{100 * value:.{digits}f}%".replace(".", ",")


def confidence(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


_PLACEHOLDER_HTML = re.compile(
    "|".join(re.escape(str(escape(p))) for p in sorted(PLACEHOLDERS.values(), key=len)[::-1])
)


def redacted(text: str | None) -> Markup:
    """The stored text, escaped, with its placeholders marked so staff see what was hidden."""
    safe = str(escape(text or ""))
    return Markup(_PLACEHOLDER_HTML.sub(lambda m: f'<span class="ph">{m.group()}</span>', safe))


def breakable(code: str | None) -> Markup:
    """An identifier (`urgent.violence`, `accident_prevention`) that may wrap after its dots
    and underscores instead of mid-word on a narrow screen."""
    return Markup(re.sub(r"([._])", r"\1<wbr>", str(escape(code or ""))))


def build_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        intent_label=intent_label,
        channel_label=lambda c: CHANNEL_LABELS.get(c or "", c or ""),
        role_label=lambda r: ROLE_LABELS.get(r or "", r or ""),
        kind_label=lambda k: KIND_LABELS.get(k or "", k or ""),
        label_name=label_name,
        danger_names=danger_names,
        feedback_label=lambda f: FEEDBACK_LABELS.get(f or "", f or ""),
        action_label=lambda a: ACTION_LABELS.get(a or "", a or ""),
        role_name=lambda r: ROLE_NAMES.get(r or "", r or ""),
        local_time=local_time,
        number=number,
        percent=percent,
        confidence=confidence,
        redacted=redacted,
        breakable=breakable,
    )
    return Jinja2Templates(env=env)


@dataclass(frozen=True, slots=True)
class Chart:
    key: str
    title: str
    data: charts.ChartData
    svg: Markup
    percent: bool = False


def overview_charts(figures: logquery.Summary, since: dt.date, until: dt.date) -> list[Chart]:
    """The overview's four charts, one column per day of the range (empty days too)."""
    days = charts.day_range(since, until)
    per_day = {d.day: d for d in figures.days}
    rows = [per_day.get(day) or logquery.DayFigures(day) for day in days]
    span = f"từ {local_date(since)} đến {local_date(until)}"

    def bars(key: str, title: str, data: charts.ChartData, desc: str) -> Chart:
        return Chart(
            key, title, data, charts.stacked_bars(data, f"chart-{key}", title, desc, "tin")
        )

    def single(key: str, label: str, values: list[float], colour: str) -> charts.ChartData:
        return charts.ChartData(tuple(days), (charts.Series(key, label, tuple(values), colour),))

    topics = charts.grouped(days, [r.by_intent for r in rows], INTENT_LABELS)
    channels = charts.grouped(days, [r.by_channel for r in rows], CHANNEL_LABELS)
    urgent = single("urgent", "Tin khẩn cấp", [float(r.urgent) for r in rows], "#b3261e")
    rates = [100.0 * r.fallback / r.total if r.total else 0.0 for r in rows]
    fallback = single("fallback", "Tỉ lệ không trả lời được", rates, "#0072b2")
    title = "Tỉ lệ không trả lời được mỗi ngày"
    desc = (
        "Đường: phần trăm tin trợ lý hỏi lại, không trả lời được hoặc ngoài phạm vi, "
        f"mỗi ngày {span}."
    )
    return [
        bars("topics", "Tin nhắn theo ngày và chủ đề", topics,
             f"Cột chồng: số tin nhắn mỗi ngày {span}, chia theo chủ đề."),
        bars("channels", "Tin nhắn theo ngày và kênh", channels,
             f"Cột chồng: số tin nhắn mỗi ngày {span}, chia theo kênh."),
        bars("urgent", "Tin khẩn cấp mỗi ngày", urgent,
             f"Số tin báo nguy hiểm ngay mỗi ngày {span}."),
        Chart("fallback", title, fallback,
              charts.lines(fallback, "chart-fallback", title, desc, percent=True), percent=True),
    ]  # fmt: skip


@dataclass(frozen=True, slots=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str

    @classmethod
    def load(cls, name: str, media_type: str) -> StaticFile:
        body = (STATIC_DIR / name).read_bytes()
        return cls(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


# ---------------------------------------------------------------------------- the desk

Handler = Callable[[Request, Session], Awaitable[Response]]
T = TypeVar("T")


class StaffDesk:
    def __init__(
        self, settings: Settings, auth: AuthStore, request_log: RequestLog | None = None
    ) -> None:
        self.settings = settings
        self.db_path = settings.db_path
        self.auth = auth
        self.request_log = request_log
        self.templates = build_templates()
        self.static = {name: StaticFile.load(name, t) for name, t in STATIC_TYPES.items()}
        self.cookie_secure = settings.staff_cookie_secure
        self.session_seconds = int(settings.staff_session_hours * 3600)

    # ------------------------------------------------------------------ plumbing
    def routes(self) -> list[BaseRoute]:
        return [
            Route(PREFIX, self.guard(self.overview), methods=["GET"]),
            Route(LOGIN_PATH, self.login_page, methods=["GET"]),
            Route(LOGIN_PATH, self.login_submit, methods=["POST"]),
            Route(f"{PREFIX}/logout", self.guard(self.logout), methods=["POST"]),
            Route(f"{PREFIX}/search", self.guard(self.search), methods=["GET"]),
            Route(f"{PREFIX}/review", self.guard(self.review), methods=["GET"]),
            Route(
                f"{PREFIX}/review/{{row_id:int}}",
                self.guard(self.label, admin=True),
                methods=["POST"],
            ),
            Route(
                f"{PREFIX}/conversation/{{row_id:int}}",
                self.guard(self.conversation),
                methods=["GET"],
            ),
            Route(f"{PREFIX}/content", self.guard(self.content), methods=["GET"]),
            Route(f"{PREFIX}/exports", self.guard(self.exports), methods=["GET"]),
            Route(
                f"{PREFIX}/export/safety.yml",
                self.guard(self.export_safety, download=True),
                methods=["GET"],
            ),
            Route(
                f"{PREFIX}/export/messages.csv",
                self.guard(self.export_csv, download=True),
                methods=["GET"],
            ),
            Route(
                f"{PREFIX}/export/training.yml",
                self.guard(self.export_training, download=True),
                methods=["GET"],
            ),
            Route(f"{PREFIX}/audit", self.guard(self.audit, admin=True), methods=["GET"]),
            Route(f"{PREFIX}/static/{{name:str}}", self.static_file, methods=["GET"]),
            Route(f"{PREFIX}/status", self.guard(self.status), methods=["GET"]),
        ]

    async def status(self, request: Request, session: Session) -> Response:
        """The service's details (features, webhook paths, staff count): staff only (#17)."""
        state = request.app.state
        body = status_html(state.settings, state.assistant, state.features, detailed=True)
        return HTMLResponse(body, headers={"Cache-Control": "no-store"})

    def guard(
        self, handler: Handler, *, admin: bool = False, download: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        """Only for a live session (and the admin role if asked); POSTs also need the
        session's CSRF token and to come from this site."""

        async def endpoint(request: Request) -> Response:
            token = request.cookies.get(COOKIE)
            session = await run_in_threadpool(self.auth.session, token)
            if session is None:
                if download:
                    return PlainTextResponse("Cần đăng nhập / login required", status_code=401)
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                if request.method != "GET":
                    target = PREFIX  # after login, a POST's URL is no page to land on
                response: Response = RedirectResponse(
                    f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303
                )
                if token:
                    self._clear_cookie(response)
                return response
            if request.method == "POST":
                form = await request.form()
                submitted = form.get("csrf_token")
                if not same_origin(request) or not csrf_matches(
                    session, submitted if isinstance(submitted, str) else None
                ):
                    return self.render(
                        request,
                        "error.html",
                        {
                            "session": session,
                            "message": "Yêu cầu không hợp lệ (CSRF). "
                            "Hãy tải lại trang rồi thử lại.",
                        },
                        status_code=403,
                    )
            if admin and not session.user.is_admin:
                if download:
                    return PlainTextResponse(NOT_ALLOWED, status_code=403)
                return self.render(
                    request, "error.html", {"session": session, "message": NOT_ALLOWED}, 403
                )
            return await handler(request, session)

        return endpoint

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        base: dict[str, Any] = {"session": None, "active": "", "errors": [], "notice": ""}
        return self.templates.TemplateResponse(
            request, template, {**base, **context}, status_code=status_code, headers=headers
        )

    def _set_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            COOKIE,
            token,
            max_age=self.session_seconds,
            path=PREFIX,
            secure=self.cookie_secure,
            httponly=True,
            samesite="strict",
        )

    def _clear_cookie(self, response: Response) -> None:
        response.delete_cookie(
            COOKIE, path=PREFIX, secure=self.cookie_secure, httponly=True, samesite="strict"
        )

    def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        conn = logquery.connect_readonly(self.db_path)
        with contextlib.closing(conn):
            return query(conn)

    async def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        """`query(conn)` on a read-only connection to the log, in a worker thread.
        Raises LogUnavailable before the log's first message."""
        return await run_in_threadpool(self._read, query)

    # ------------------------------------------------------------------ login
    async def login_page(self, request: Request) -> Response:
        if await run_in_threadpool(self.auth.session, request.cookies.get(COOKIE)):
            return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
        return self.render(
            request,
            "login.html",
            {
                "next": safe_next(request.query_params.get("next")),
                "username": "",
                "notice": "Bạn đã đăng xuất." if request.query_params.get("bye") else "",
            },
        )

    async def login_submit(self, request: Request) -> Response:
        form = await request.form()
        username = str(form.get("username") or "")[:MAX_FIELD_CHARS]
        password = str(form.get("password") or "")
        target = safe_next(str(form.get("next") or ""))
        context: dict[str, Any] = {"next": target, "username": username}
        if not same_origin(request):
            context["errors"] = ["Yêu cầu không hợp lệ. Hãy tải lại trang đăng nhập."]
            return self.render(request, "login.html", context, status_code=403)
        if not username.strip() or not password:
            context["errors"] = ["Hãy nhập tên đăng nhập và mật khẩu."]
            return self.render(request, "login.html", context, status_code=400)
        client = request.client.host if request.client else "?"
        result = await run_in_threadpool(self.auth.login, username, password, client)
        if result.ok and result.token:
            response = RedirectResponse(target, status_code=303)
            self._set_cookie(response, result.token)
            return response
        if result.locked_until is not None:
            now = dt.datetime.now(dt.UTC)
            minutes = max(1, math.ceil((result.locked_until - now).total_seconds() / 60))
            context["errors"] = [
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
            ]
            retry = str(max(60, minutes * 60))
            return self.render(request, "login.html", context, 429, {"Retry-After": retry})
        context["errors"] = [LOGIN_FAILED]
        return self.render(request, "login.html", context, status_code=401)

    async def logout(self, request: Request, session: Session) -> Response:
        await run_in_threadpool(self.auth.logout, request.cookies.get(COOKIE))
        response = RedirectResponse(f"{LOGIN_PATH}?bye=1", status_code=303)
        self._clear_cookie(response)
        return response

    # ------------------------------------------------------------------ overview
    async def overview(self, request: Request, session: Session) -> Response:
        since, until, errors = parse_range(request.query_params, logquery.today())
        context: dict[str, Any] = {
            "session": session,
            "active": "overview",
            "since": since.isoformat(),
            "until": until.isoformat(),
            "days_shown": (until - since).days + 1,
            "errors": errors,
            "presets": [(7, "7 ngày"), (30, "30 ngày"), (90, "90 ngày")],
        }
        try:
            figures = await self.read(lambda conn: logquery.summary(conn, since, until))
        except LogUnavailable:
            context.update(figures=None, notice=NO_LOG, failed=self._live_failures())
            return self.render(request, "overview.html", context)
        context.update(
            figures=figures,
            failed=max(figures.failed_writes + figures.dropped, self._live_failures()),
            charts=overview_charts(figures, since, until),
            top_intents=figures.top_intents(10),
        )
        return self.render(request, "overview.html", context)

    def _live_failures(self) -> int:
        return self.request_log.stats().failed if self.request_log else 0

    # ------------------------------------------------------------------ search
    async def search(self, request: Request, session: Session) -> Response:
        form = FilterForm.from_query(request.query_params)
        filters = form.filters()
        context: dict[str, Any] = {
            "session": session,
            "active": "search",
            "form": form,
            "errors": form.errors,
            **self._choices(form),
        }
        try:
            total = await self.read(lambda conn: logquery.count(conn, filters))
            page = Page.of(request.query_params.get("page"), PAGE_SIZE, total)
            rows = await self.read(
                lambda conn: logquery.search(conn, filters, PAGE_SIZE, page.offset)
            )
        except LogUnavailable:
            total, page, rows = 0, Page(1, PAGE_SIZE, 0), []
            context["notice"] = NO_LOG
        if form.given() and page.number == 1:
            await run_in_threadpool(
                self.auth.audit, session.username, "search", None, form.describe()
            )
        context.update(rows=rows, page=page, total=total, csv_query=form.query())
        return self.render(request, "search.html", context)

    @staticmethod
    def _choices(form: FilterForm) -> dict[str, Any]:
        channels = list(KNOWN_CHANNELS)
        if form.channel and form.channel not in channels:
            channels.append(form.channel)
        return {
            "intents": [(i, intent_label(i)) for i in ALL_INTENTS],
            "channels": [(c, CHANNEL_LABELS.get(c, c)) for c in channels],
        }

    # ------------------------------------------------------------------ review queue
    def _label_context(self) -> dict[str, Any]:
        return {
            "mistake_choices": [
                (value, name) for value, name in MISTAKE_LABELS.items() if value != SKIP_LABEL
            ],
            "topic_choices": [(i, intent_label(i)) for i in ALL_INTENTS],
            "danger_choices": list(DANGER_LABELS.items()),
            "skip_label": SKIP_LABEL,
            "should_be_urgent": SHOULD_BE_URGENT,
        }

    async def review(self, request: Request, session: Session) -> Response:
        """The queue in sections (handlers.logquery.SECTIONS): every section's first rows
        and its size, or one whole section (`?section=`) page by page."""
        rate = self.settings.review_sample_rate
        chosen = request.query_params.get("section", "")
        section_key = chosen if chosen in SECTION_KEYS else ""
        context: dict[str, Any] = {
            "session": session,
            "active": "review",
            "saved": None,
            "section": section_key,
            "sample_percent": percent(rate, 1),
            **self._label_context(),
        }
        saved = request.query_params.get("saved", "")
        if saved.isdigit():
            context["saved"] = int(saved)
        shown = [s for s in SECTIONS if not section_key or s.key == section_key]
        raw_page = request.query_params.get("page")

        def read_sections(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            found = []
            for section in shown:
                total = logquery.section_count(conn, section.key, rate)
                size = PAGE_SIZE if section_key else SECTION_PREVIEW
                page = Page.of(raw_page if section_key else None, size, total)
                rows = logquery.section_rows(conn, section.key, rate, size, page.offset)
                found.append({"section": section, "rows": rows, "total": total, "page": page})
            return found

        try:
            sections = await self.read(read_sections)
        except LogUnavailable:
            sections = []
            context["notice"] = NO_LOG
        context["sections"] = sections
        return self.render(request, "review.html", context)

    async def label(self, request: Request, session: Session) -> Response:
        row_id = int(request.path_params["row_id"])
        form = await request.form()
        label = str(form.get("label") or "")
        danger = str(form.get("danger") or "") or None
        note = " ".join(str(form.get("note") or "").split())[: logquery.MAX_NOTE_CHARS] or None
        page = str(form.get("page") or "1")
        section = str(form.get("section") or "")
        back = str(form.get("back") or "")
        problem = logquery.label_problem(label, danger, note)
        if problem:
            return self.render(request, "error.html", {"session": session, "message": problem}, 400)
        if label != SHOULD_BE_URGENT:
            danger = None
        if label not in NOTE_LABELS:
            note = None
        elif note:
            note = redact(note).text  # a note is free text: it may quote the message
        found = await run_in_threadpool(
            self._set_label, row_id, label, session.username, danger, note
        )
        if not found:
            message = f"Không có tin nhắn #{row_id} (có thể đã bị xóa theo thời hạn lưu)."
            return self.render(request, "error.html", {"session": session, "message": message}, 404)
        detail = "; ".join(x for x in (label, danger, note) if x)
        await run_in_threadpool(self.auth.audit, session.username, "label", row_id, detail)
        if back == "conversation":
            return RedirectResponse(
                f"{PREFIX}/conversation/{row_id}?saved={row_id}#msg-{row_id}", status_code=303
            )
        values = {"page": page if page.isdigit() else "1", "saved": row_id}
        if section in SECTION_KEYS:
            values = {"section": section, **values}
        return RedirectResponse(f"{PREFIX}/review?{urlencode(values)}", status_code=303)

    # ------------------------------------------------------------------ conversation
    async def conversation(self, request: Request, session: Session) -> Response:
        row_id = int(request.path_params["row_id"])
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=self.settings.retention_days)
        since_ts = cutoff.isoformat(timespec="milliseconds")
        try:
            turns = await self.read(lambda conn: logquery.conversation(conn, row_id, since_ts))
        except LogUnavailable:
            turns = []
        if not any(turn.id == row_id for turn in turns):
            message = f"Không có tin nhắn #{row_id} (có thể đã bị xóa theo thời hạn lưu)."
            return self.render(request, "error.html", {"session": session, "message": message}, 404)
        await run_in_threadpool(self.auth.audit, session.username, "conversation", row_id, None)
        saved = request.query_params.get("saved", "")
        context = {
            "session": session,
            "active": "review",
            "turns": turns,
            "focus": row_id,
            "saved": int(saved) if saved.isdigit() else None,
            "retention_days": self.settings.retention_days,
            **self._label_context(),
        }
        return self.render(request, "conversation.html", context)

    # ------------------------------------------------------------------ content feedback
    async def content(self, request: Request, session: Session) -> Response:
        try:
            answers = await self.read(logquery.content_feedback)
            notice = ""
        except LogUnavailable:
            answers, notice = [], NO_LOG
        context = {"session": session, "active": "content", "answers": answers, "notice": notice}
        return self.render(request, "content.html", context)

    def _set_label(
        self, row_id: int, label: str, staff: str, danger: str | None, note: str | None
    ) -> bool:
        # Through the running log's writer when there is one; otherwise an unstarted
        # RequestLog runs the same update itself on its own connection.
        request_log = self.request_log or RequestLog(self.db_path)
        return request_log.set_label(row_id, label, staff, danger=danger, note=note)

    # ------------------------------------------------------------------ exports
    async def exports(self, request: Request, session: Session) -> Response:
        form = FilterForm.from_query(request.query_params)
        form.filters()
        context: dict[str, Any] = {
            "session": session,
            "active": "exports",
            "form": form,
            "errors": form.errors,
            "labelled": 0,
            "total": 0,
            **self._choices(form),
        }
        try:
            labelled, total = await self.read(
                lambda conn: (
                    logquery.count(conn, Filters(labelled=True)),
                    logquery.count(conn, Filters()),
                )
            )
            context.update(labelled=labelled, total=total)
        except LogUnavailable:
            context["notice"] = NO_LOG
        return self.render(request, "exports.html", context)

    async def export_csv(self, request: Request, session: Session) -> Response:
        """The filtered list as CSV, streamed: rows are read by keyset pages and sent a
        chunk at a time, so memory stays flat whatever the size of the log. The audit entry
        is written when the stream ends (or is cut), with the rows sent."""
        form = FilterForm.from_query(request.query_params)
        filters = form.filters()
        described = form.describe() if form.given() else ""
        username = session.username
        db_path, auth = self.db_path, self.auth

        def body() -> Iterator[bytes]:
            sent = 0
            try:
                conn = logquery.connect_readonly(db_path, any_thread=True)
            except LogUnavailable:
                conn = None
            try:
                yield "\ufeff".encode()  # Excel reads UTF-8 only with a BOM
                rows = logquery.iter_rows(conn, filters) if conn is not None else iter(())

                def counted() -> Iterator[logquery.LogRow]:
                    nonlocal sent
                    for row in rows:
                        sent += 1
                        yield row

                for chunk in logquery.csv_chunks(counted()):
                    yield chunk.encode("utf-8")
            finally:
                if conn is not None:
                    conn.close()
                detail = f"{sent} dòng" + (f"; {described}" if described else "")
                auth.audit(username, "export_csv", None, detail)

        name = f"childsafe-tin-nhan-{logquery.today().isoformat()}.csv"
        return StreamingResponse(
            body(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def export_safety(self, request: Request, session: Session) -> Response:
        try:
            result = await self.read(logquery.export_safety)
            text = result.yaml_text
            detail = f"{result.urgent} khẩn cấp, {result.not_urgent} không khẩn cấp"
        except LogUnavailable:
            text, detail = "[]\n", "0 ví dụ"
        await run_in_threadpool(self.auth.audit, session.username, "export_safety", None, detail)
        name = f"childsafe-an-toan-can-bo-{logquery.today().isoformat()}.yml"
        return Response(
            text.encode("utf-8"),
            media_type="application/yaml; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    async def export_training(self, request: Request, session: Session) -> Response:
        try:
            result = await self.read(logquery.export_training)
            text, detail = result.yaml_text, f"{result.examples} ví dụ, {result.intents} chủ đề"
        except LogUnavailable:
            text, detail = 'version: "3.1"\nnlu: []\n', "0 ví dụ"
        await run_in_threadpool(self.auth.audit, session.username, "export_training", None, detail)
        name = f"childsafe-nlu-can-bo-{logquery.today().isoformat()}.yml"
        return Response(
            text.encode("utf-8"),
            media_type="application/yaml; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # ------------------------------------------------------------------ audit
    async def audit(self, request: Request, session: Session) -> Response:
        total = await run_in_threadpool(self.auth.audit_count)
        page = Page.of(request.query_params.get("page"), AUDIT_PAGE_SIZE, total)
        entries = await run_in_threadpool(self.auth.audit_entries, page.size, page.offset)
        context = {
            "session": session,
            "active": "audit",
            "entries": entries,
            "page": page,
            "total": total,
        }
        return self.render(request, "audit.html", context)

    # ------------------------------------------------------------------ assets
    async def static_file(self, request: Request) -> Response:
        found = self.static.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("Không có tệp này.", status_code=404)
        headers = {"ETag": found.etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == found.etag:
            return Response(status_code=304, headers=headers)
        return Response(found.body, media_type=found.media_type, headers=headers)


def local_date(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def feature(settings: Settings, assistant: Assistant) -> Feature:
    auth = auth_store(settings)
    desk = StaffDesk(settings, auth, assistant.request_log)
    staff = len(auth.users())
    if not staff:
        log.warning("staff desk: no staff users yet; add one with `childsafe staff add NAME`")
    secure = "" if settings.staff_cookie_secure else " (cookie not Secure: http only for tests)"
    return Feature(
        name="staff",
        routes=desk.routes(),
        middleware=[Middleware(StaffHeadersMiddleware, secure=settings.staff_cookie_secure)],
        description=f"bàn làm việc của cán bộ tại {PREFIX} ({staff} tài khoản){secure}",
    )
