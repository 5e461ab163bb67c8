"""The staff desk (#6) over real HTTP on loopback: the real app, a log written by the real
assistant from web and Telegram messages over three days, staff users made with argon2.

Anonymous visitors are refused everywhere; login, lockout and logout; the overview's figures
and charts; search that folds đ and filters checked against SQL run on the database; labels
that leave the review queue; CSRF; CSV and Rasa YAML exports; headers; the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from starlette.applications import Starlette
from starlette.middleware import Middleware

from bot.app import create_app
from bot.settings import Settings
from bot.staff import charts
from bot.staff.auth import AuthStore
from bot.staff.routes import (
    COOKIE,
    PAGE_SIZE,
    SKIP_LABEL,
    StaffDesk,
    StaffHeadersMiddleware,
    safe_next,
)
from bot.wiring import build_assistant
from handlers import logquery
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from handlers.requestlog import RequestLog, utc_now
from handlers.topics import ALL_INTENTS
from nlu.text import fold
from tests.servers import serve

ROOT = Path(__file__).resolve().parents[3]
MODEL_CACHE = ROOT / ".cache" / "nlu-tests"
ADMIN, VIEWER, SPARE = "lan", "minh", "khoa"
PASSWORD = "bàn-làm-việc-2026!"
EVIL = "https://evil.example.com"

# What parents, students and teachers send, from the north, centre and south, with and
# without diacritics, teen spelling, nonsense, emoji, a formula and personal details.
MESSAGES = (
    "cô giáo Lan đánh con tôi ở lớp, sđt 0912 345 678",
    "con bị bạn đánh ở trường phải làm sao",
    "bi danh o truong ko dam noi voi ai",
    "thằng bé hàng xóm bị bố dượng đánh đập hằng ngày",
    "em muốn chết",
    "bạn em đang bị đuối nước ở sông",
    "xin chào",
    "cảm ơn nhé",
    "asdkjh qwe zxc",
    "giá vàng hôm nay bao nhiêu",
    "trẻ mồ côi được trợ cấp bao nhiêu tiền một tháng",
    "học phí có được miễn cho con hộ nghèo không",
    "có người lạ nhắn tin đòi con em gửi ảnh nhạy cảm trên facebook",
    "số tổng đài bảo vệ trẻ em là gì",
    "e bị bắt nạt ở trg, k bik nói vs ai",
    "=SUM(1+1) con bị đánh",
    "chỉ thị về phòng chống đuối nước cho học sinh",
    "ko",
    "😀😀😀",
    "mạ ơi làm răng khi con bị đòn đau",
    "bé nhà tui hay leo ban công, làm sao phòng tai nạn",
    "con tôi 14 tuổi đi làm thuê ở xưởng may có được không",
    "thầy cô phải làm gì khi phát hiện học sinh bị xâm hại",
    "nhà em ở số 12 ngõ 34 phố Huế, em tên là Nguyễn Thị Mai",
)


class FakeClock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Desk:
    url: str
    db_path: Path
    assistant: Assistant
    request_log: RequestLog


def seed_log(assistant: Assistant, request_log: RequestLog, clock: FakeClock) -> int:
    """Send MESSAGES through the real assistant on three days, web and Telegram; flush."""
    sent = 0
    today = utc_now()
    for days_ago in (2, 1, 0):
        clock.now = today - dt.timedelta(days=days_ago, minutes=len(MESSAGES))
        for i, text in enumerate(MESSAGES):
            if days_ago and (i + days_ago) % 4 == 0:
                continue  # the days differ a little
            clock.now += dt.timedelta(minutes=1)
            channel = "telegram" if (i + days_ago) % 2 else "web"
            assistant.handle(IncomingMessage(text, user=f"u{i}-{days_ago}", channel=channel))
            sent += 1
    assert request_log.flush(30)
    return sent


def seeded_assistant(settings: Settings) -> tuple[Assistant, RequestLog, FakeClock]:
    """The real assistant, logging through a real RequestLog whose clock the test sets
    (wired as bot.wiring.attach_request_log does)."""
    assistant = build_assistant(settings, with_logging=False)
    clock = FakeClock()
    request_log = RequestLog.open(settings.db_path, clock=clock)
    request_log.attach_to(assistant)
    return assistant, request_log, clock


def desk_settings(tmp: Path, **extra: object) -> Settings:
    return Settings(
        _env_file=None,
        CHILDSAFE_DB=tmp / "childsafe.db",
        CHILDSAFE_SECRET="test-secret-0123456789abcdef-0123456789",
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
        CHILDSAFE_STAFF_COOKIE_SECURE=False,  # the tests speak http; production must not
        **extra,
    )


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    settings = desk_settings(tmp_path_factory.mktemp("staff"))
    assistant, request_log, clock = seeded_assistant(settings)
    seed_log(assistant, request_log, clock)
    auth = AuthStore(settings.db_path)
    auth.add_user(ADMIN, PASSWORD, "admin")
    auth.add_user(VIEWER, PASSWORD, "viewer")
    auth.add_user(SPARE, PASSWORD, "viewer")
    with serve(create_app(settings, assistant)) as url:
        yield Desk(url, settings.db_path, assistant, request_log)


@pytest.fixture
def anon(desk: Desk) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=desk.url, timeout=30) as client:
        yield client


def login(url: str, name: str = ADMIN) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    response = client.post(
        "/staff/login",
        data={"username": name, "password": PASSWORD, "next": "/staff"},
        headers={"Origin": url},
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def admin(desk: Desk) -> Iterator[httpx.Client]:
    client = login(desk.url, ADMIN)
    yield client
    client.close()


@pytest.fixture
def viewer(desk: Desk) -> Iterator[httpx.Client]:
    client = login(desk.url, VIEWER)
    yield client
    client.close()


def query(db_path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def ids(db_path: Path, where: str = "1", params: tuple[object, ...] = ()) -> list[int]:
    sql = f"SELECT id FROM requests WHERE {where} ORDER BY id DESC"
    return [int(str(r[0])) for r in query(db_path, sql, params)]


def shown_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr [^>]*data-id="(\d+)"', page)]


def all_shown_ids(client: httpx.Client, path: str) -> list[int]:
    found: list[int] = []
    for number in range(1, 50):
        page = client.get(path, params={"page": number}).text
        found += shown_ids(page)
        if 'rel="next"' not in page:
            return found
    raise AssertionError("pagination never ended")


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def review_ids(db_path: Path) -> list[int]:
    return ids(db_path, logquery.REVIEW_SQL)


def today() -> dt.date:
    return logquery.today()


# ---------------------------------------------------------------- anonymous visitors

PAGES = ("/staff", "/staff/search?q=danh", "/staff/review", "/staff/exports", "/staff/audit")
DOWNLOADS = ("/staff/export/messages.csv", "/staff/export/training.yml")


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(anon: httpx.Client, path: str) -> None:
    response = anon.get(path)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/staff/login"
    assert parse_qs(location.query)["next"] == [path]
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("path", DOWNLOADS)
def test_anonymous_downloads_get_401_and_no_data(anon: httpx.Client, path: str) -> None:
    response = anon.get(path)
    assert response.status_code == 401
    assert "content-disposition" not in response.headers
    assert "đánh" not in response.text and "nlu" not in response.text


def test_anonymous_posts_change_nothing(desk: Desk, anon: httpx.Client) -> None:
    target = review_ids(desk.db_path)[0]
    response = anon.post(
        f"/staff/review/{target}", data={"label": "greet"}, headers={"Origin": desk.url}
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/staff/login")
    assert query(desk.db_path, "SELECT label FROM requests WHERE id = ?", (target,)) == [(None,)]
    assert anon.post("/staff/logout", headers={"Origin": desk.url}).status_code == 303


def test_a_forged_cookie_is_refused(desk: Desk, anon: httpx.Client) -> None:
    anon.cookies.set(COOKIE, "A" * 43, domain="127.0.0.1", path="/staff")
    assert anon.get("/staff").status_code == 303
    assert anon.get("/staff/export/messages.csv").status_code == 401


# ---------------------------------------------------------------- login and logout


def test_the_login_page_is_a_plain_form(anon: httpx.Client) -> None:
    response = anon.get("/staff/login")
    assert response.status_code == 200
    page = response.text
    assert '<html lang="vi">' in page
    assert 'method="post" action="/staff/login"' in page
    assert 'name="username"' in page and 'name="password" type="password"' in page
    assert 'for="username"' in page and 'for="password"' in page  # labelled fields
    assert "Đăng nhập" in page
    assert "<script" not in page
    assert "set-cookie" not in response.headers


def test_login_sets_a_session_cookie_only_staff_pages_see(desk: Desk, anon: httpx.Client) -> None:
    response = anon.post(
        "/staff/login",
        data={"username": ADMIN, "password": PASSWORD, "next": "/staff/review"},
        headers={"Origin": desk.url},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/review"
    cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "path", "max-age"} <= attributes
    assert "samesite=strict" in cookie.lower() and "path=/staff" in cookie.lower()
    assert "secure" not in attributes  # CHILDSAFE_STAFF_COOKIE_SECURE=false in these tests
    assert anon.get("/staff/review").status_code == 200
    assert anon.get("/staff/login").headers["location"] == "/staff"  # already logged in


@pytest.mark.parametrize(
    "target",
    [EVIL, "//evil.example.com/staff", "/\\evil.example.com", "/", "/api/chat", "/staffx"],
)
def test_login_never_redirects_off_the_desk(desk: Desk, anon: httpx.Client, target: str) -> None:
    assert safe_next(target) == "/staff"
    response = anon.post(
        "/staff/login",
        data={"username": ADMIN, "password": PASSWORD, "next": target},
        headers={"Origin": desk.url},
    )
    assert response.headers["location"] == "/staff"


def test_a_failed_login_says_nothing_about_which_part_was_wrong(
    desk: Desk, anon: httpx.Client
) -> None:
    def attempt(name: str) -> httpx.Response:
        return anon.post(
            "/staff/login",
            data={"username": name, "password": "không-đúng-đâu-nhé"},
            headers={"Origin": desk.url},
        )

    known, unknown = attempt(VIEWER), attempt("chua-co-ai")
    assert known.status_code == unknown.status_code == 401
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in known.text and message in unknown.text
    assert "set-cookie" not in known.headers and "set-cookie" not in unknown.headers
    assert known.text.replace(VIEWER, "X") == unknown.text.replace("chua-co-ai", "X")


def test_empty_fields_and_foreign_origins_are_refused(desk: Desk, anon: httpx.Client) -> None:
    empty = anon.post("/staff/login", data={"username": ADMIN}, headers={"Origin": desk.url})
    assert empty.status_code == 400 and "set-cookie" not in empty.headers
    for headers in ({"Origin": EVIL}, {"Origin": "null"}, {"Referer": EVIL + "/x"}, {}):
        response = anon.post(
            "/staff/login", data={"username": ADMIN, "password": PASSWORD}, headers=headers
        )
        assert response.status_code == 403, headers
        assert "set-cookie" not in response.headers


def test_five_failures_lock_a_name_even_with_the_right_password(
    desk: Desk, anon: httpx.Client
) -> None:
    statuses = []
    for _ in range(5):
        response = anon.post(
            "/staff/login",
            data={"username": SPARE, "password": "sai-mật-khẩu-rồi"},
            headers={"Origin": desk.url},
        )
        statuses.append(response.status_code)
    assert statuses == [401, 401, 401, 401, 429]
    locked = anon.post(
        "/staff/login",
        data={"username": SPARE, "password": PASSWORD},
        headers={"Origin": desk.url},
    )
    assert locked.status_code == 429
    assert "Vui lòng thử lại sau 15 phút" in locked.text
    assert int(locked.headers["retry-after"]) >= 60
    assert "set-cookie" not in locked.headers
    audit = query(desk.db_path, "SELECT action FROM staff_audit WHERE username = ?", (SPARE,))
    assert [a[0] for a in audit] == ["login_failed"] * 5 + ["login_locked"]


def test_logout_ends_the_session_on_the_server(desk: Desk) -> None:
    client = login(desk.url, VIEWER)
    stolen = client.cookies.get(COOKIE)
    token = csrf_token(client.get("/staff").text)
    response = client.post(
        "/staff/logout", data={"csrf_token": token}, headers={"Origin": desk.url}
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")
    assert 'childsafe_staff=""' in response.headers["set-cookie"]
    assert "Bạn đã đăng xuất." in client.get(response.headers["location"]).text
    with httpx.Client(base_url=desk.url) as replay:  # the old cookie, replayed
        replay.cookies.set(COOKIE, str(stolen), domain="127.0.0.1", path="/staff")
        assert replay.get("/staff").status_code == 303
    client.close()


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "path", [*PAGES, "/staff/login", "/staff/nothing-here", "/staff/static/staff.css"]
)
def test_every_staff_response_carries_security_headers(admin: httpx.Client, path: str) -> None:
    response = admin.get(path)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    expected_cache = "no-cache" if path.endswith(".css") else "no-store"
    assert headers["cache-control"] == expected_cache
    assert "strict-transport-security" not in headers  # only with Secure cookies (https)


def test_the_chat_page_keeps_its_own_headers(anon: httpx.Client) -> None:
    assert "script-src 'self'" in anon.get("/").headers["content-security-policy"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_elsewhere_and_run_no_script(
    admin: httpx.Client, path: str
) -> None:
    page = admin.get(path).text
    assert "<script" not in page and " style=" not in page and " on" + "click=" not in page
    for link in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert link.startswith(("/staff", "#")), link


def test_static_files_are_listed_ones_only(anon: httpx.Client) -> None:
    css = anon.get("/staff/static/staff.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@import" not in css.text and "url(" not in css.text
    assert (
        anon.get(
            "/staff/static/staff.css", headers={"If-None-Match": css.headers["etag"]}
        ).status_code
        == 304
    )
    assert anon.get("/staff/static/..%2Froutes.py").status_code == 404
    assert anon.get("/staff/static/auth.py").status_code == 404


# ---------------------------------------------------------------- overview


def test_overview_shows_the_last_weeks_figures_as_charts(desk: Desk, admin: httpx.Client) -> None:
    response = admin.get("/staff")
    assert response.status_code == 200
    page = response.text
    first = (today() - dt.timedelta(days=6)).isoformat()
    assert f'name="since" type="date" value="{first}"' in page
    assert f'name="until" type="date" value="{today().isoformat()}"' in page
    (total,) = query(desk.db_path, "SELECT COUNT(*) FROM requests WHERE day >= ?", (first,))[0]
    (urgent,) = query(desk.db_path, "SELECT SUM(urgent) FROM requests")[0]
    assert re.search(rf'Tin nhắn</span>\s*<span class="kpi-value">{total}<', page)
    assert re.search(rf'Tin khẩn cấp</span>\s*<span class="kpi-value">{urgent}<', page)
    assert int(str(urgent)) > 0
    svgs = re.findall(r'<svg class="chart"[^>]*role="img"[^>]*>\s*<title id="[^"]+">([^<]+)', page)
    assert svgs == [
        "Tin nhắn theo ngày và chủ đề",
        "Tin nhắn theo ngày và kênh",
        "Tin khẩn cấp mỗi ngày",
        "Tỉ lệ không trả lời được mỗi ngày",
    ]
    assert page.count("<desc id=") == 4
    assert page.count("<rect") > 10  # bars, each with its own <title>
    assert re.search(r"<title>\d\d/\d\d · Telegram: \d+ tin</title>", page)
    assert page.count("Xem bảng số liệu") == 4  # the same numbers as tables
    assert "không ghi được vào nhật ký" not in page  # no failed writes


def test_overview_date_range(desk: Desk, admin: httpx.Client) -> None:
    day = today().isoformat()
    page = admin.get("/staff", params={"since": day, "until": day}).text
    (count,) = query(desk.db_path, "SELECT COUNT(*) FROM requests WHERE day = ?", (day,))[0]
    assert re.search(rf'Tin nhắn</span>\s*<span class="kpi-value">{count}<', page)
    assert "1 ngày" in page
    assert page.count("<text") < admin.get("/staff").text.count("<text")  # fewer date labels
    bad = admin.get("/staff", params={"since": "hôm qua", "until": day}).text
    assert "Ngày không hợp lệ" in bad
    swapped = admin.get("/staff", params={"since": day, "until": "2020-01-01"}).text
    assert "đã đổi chỗ hai ngày" in swapped
    month = admin.get("/staff", params={"days": "30"}).text
    assert 'href="/staff?days=30" aria-current="true"' in month


def test_overview_shows_failed_writes_prominently(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path)
    RequestLog.open(settings.db_path).close()  # an empty log
    with sqlite3.connect(settings.db_path) as conn:  # a past run lost three rows
        conn.execute("INSERT INTO counters (name, value) VALUES ('failed_writes', 3)")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = RequestLog.open(blocker / "log.db", retry_delays=())  # every write fails now
    assistant = build_assistant(settings, with_logging=False)
    assistant.log_hooks.append(broken.record_exchange)
    for text in ("xin chào", "con bị đánh", "em muốn chết", "cảm ơn", "học phí"):
        assistant.handle(IncomingMessage(text, user="u", channel="web"))
    broken.flush(30)
    assert broken.stats().failed == 5
    auth = AuthStore(settings.db_path)
    auth.add_user(ADMIN, PASSWORD, "admin")
    with serve(bare_desk(settings, auth, broken)) as url:
        client = login(url)
        page = client.get("/staff").text
        client.close()
    broken.close()
    assistant.close()
    assert re.search(
        r'class="alert alert-error alert-big" role="alert">\s*<strong>5 tin nhắn', page
    )


def bare_desk(settings: Settings, auth: AuthStore, request_log: RequestLog | None) -> Starlette:
    """Only the desk's routes and headers, for settings the shared server does not have."""
    desk = StaffDesk(settings, auth, request_log)
    return Starlette(
        routes=desk.routes(),
        middleware=[Middleware(StaffHeadersMiddleware, secure=settings.staff_cookie_secure)],
    )


def test_with_https_settings_the_cookie_is_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path).model_copy(update={"staff_cookie_secure": True})
    auth = AuthStore(settings.db_path)
    auth.add_user(ADMIN, PASSWORD, "admin")
    with serve(bare_desk(settings, auth, None)) as url, httpx.Client(base_url=url) as client:
        response = client.post(
            "/staff/login",
            data={"username": ADMIN, "password": PASSWORD},
            headers={"Origin": url},
        )
        assert response.status_code == 303
        attributes = [p.strip().lower() for p in response.headers["set-cookie"].split(";")]
        assert "secure" in attributes and "httponly" in attributes
        assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_desk_before_any_message_says_so(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path)
    auth = AuthStore(settings.db_path)  # the auth tables exist, the log does not yet
    auth.add_user(ADMIN, PASSWORD, "admin")
    with serve(bare_desk(settings, auth, None)) as url:
        client = login(url)
        for path in ("/staff", "/staff/search", "/staff/review", "/staff/exports"):
            response = client.get(path)
            assert response.status_code == 200 and "Chưa có nhật ký" in response.text
        csv_text = client.get("/staff/export/messages.csv").text
        assert csv_text.lstrip("\ufeff").startswith("id,ts,day")
        assert yaml.safe_load(client.get("/staff/export/training.yml").text)["nlu"] == []
        client.close()


def test_sessions_end_after_their_hours(tmp_path: Path) -> None:
    settings = desk_settings(tmp_path, CHILDSAFE_STAFF_SESSION_HOURS=2)
    clock = FakeClock()
    auth = AuthStore(settings.db_path, session_hours=2, clock=clock)
    auth.add_user(ADMIN, PASSWORD, "admin")
    with serve(bare_desk(settings, auth, None)) as url:
        client = login(url)
        assert client.get("/staff/audit").status_code == 200
        clock.now += dt.timedelta(hours=2)
        expired = client.get("/staff/audit")
        assert expired.status_code == 303
        assert 'childsafe_staff=""' in expired.headers["set-cookie"]  # the stale cookie goes
        client.close()


# ---------------------------------------------------------------- search


def folded_words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def test_search_ignores_diacritics_including_d(desk: Desk, admin: httpx.Client) -> None:
    texts = dict(query(desk.db_path, "SELECT id, text FROM requests"))
    expected = sorted(
        (
            int(str(i))
            for i, t in texts.items()
            if any(w.startswith("danh") for w in folded_words(str(t)))
        ),
        reverse=True,
    )
    assert any("đánh" in str(texts[i]) for i in expected)  # đ folds to d
    assert any("danh" in str(texts[i]) for i in expected)  # and text typed without marks
    for typed in ("danh", "đánh", "ĐÁNH", "Đanh"):
        page = admin.get("/staff/search", params={"q": typed}).text
        assert shown_ids(page)[:PAGE_SIZE] == expected[:PAGE_SIZE], typed
    assert "Không có tin nhắn nào khớp" in admin.get("/staff/search", params={"q": "xyzzy"}).text


def test_search_by_several_words_and_prefixes(desk: Desk, admin: httpx.Client) -> None:
    texts = dict(query(desk.db_path, "SELECT id, text FROM requests"))
    expected = sorted(
        (int(str(i)) for i, t in texts.items() if {"duoi", "nuoc"} <= set(folded_words(str(t)))),
        reverse=True,
    )
    assert expected
    assert shown_ids(admin.get("/staff/search", params={"q": "đuối nước"}).text) == expected
    assert shown_ids(admin.get("/staff/search", params={"q": "duoi nuo"}).text) == expected


@pytest.mark.parametrize(
    ("params", "where", "args"),
    [
        ({"urgent": "1"}, "urgent = 1", ()),
        ({"urgent": "0", "channel": "telegram"}, "urgent = 0 AND channel = 'telegram'", ()),
        ({"intent": "report_abuse"}, "intent = 'report_abuse'", ()),
        ({"min_conf": "0.5", "max_conf": "0,9"}, "confidence BETWEEN 0.5 AND 0.9", ()),
        ({"channel": "web", "q": "danh"}, "channel = 'web' AND text_folded LIKE '%danh%'", ()),
    ],
    ids=["urgent", "not-urgent-telegram", "intent", "confidence", "channel-and-text"],
)
def test_search_filters_match_the_database(
    desk: Desk, admin: httpx.Client, params: dict[str, str], where: str, args: tuple[object, ...]
) -> None:
    expected = ids(desk.db_path, where, args)
    assert expected, f"the seed has no row for {where}"
    got: list[int] = []
    for number in range(1, 10):
        page = admin.get("/staff/search", params={**params, "page": str(number)}).text
        got += shown_ids(page)
        if 'rel="next"' not in page:
            break
    assert got == expected


def test_search_by_dates(desk: Desk, admin: httpx.Client) -> None:
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    expected = ids(desk.db_path, "day = ?", (yesterday,))
    assert 0 < len(expected) < len(ids(desk.db_path))
    page = admin.get("/staff/search", params={"since": yesterday, "until": yesterday}).text
    assert shown_ids(page) == expected


def test_bad_filters_are_reported_not_fatal(admin: httpx.Client) -> None:
    response = admin.get(
        "/staff/search",
        params={"since": "2026-13-40", "min_conf": "cao", "max_conf": "7", "intent": "<b>x"},
    )
    assert response.status_code == 200
    page = response.text
    assert "“Từ ngày” không phải ngày" in page
    assert "“Độ tin cậy từ” phải là số từ 0 đến 1" in page
    assert "“Độ tin cậy đến” phải là số từ 0 đến 1" in page
    assert "Chủ đề không có trong danh sách" in page
    assert "<b>x" not in page  # echoed escaped, never as markup
    assert len(shown_ids(page)) == PAGE_SIZE  # the rest of the filters still apply


def test_search_pages_through_everything_newest_first(desk: Desk, admin: httpx.Client) -> None:
    everything = ids(desk.db_path)
    assert len(everything) > PAGE_SIZE
    assert all_shown_ids(admin, "/staff/search") == everything
    last = admin.get("/staff/search", params={"page": "999"}).text  # clamped to the last page
    assert shown_ids(last) == everything[PAGE_SIZE : 2 * PAGE_SIZE]


def test_rows_show_every_column_and_only_redacted_text(desk: Desk, admin: httpx.Client) -> None:
    page = admin.get("/staff/search", params={"q": "giao lop"}).text
    assert "cô giáo" in page
    assert '<span class="ph">&lt;TÊN&gt;</span>' in page
    assert '<span class="ph">&lt;SĐT&gt;</span>' in page
    everything = "".join(admin.get("/staff/search", params={"page": n}).text for n in range(1, 4))
    assert "ở lớp" in everything and "nhà em ở" in everything
    for secret in ("0912", "345 678", "Lan đánh", "Nguyễn Thị Mai", "ngõ 34", "Huế"):
        assert secret not in everything
    for label in ("Thời gian", "Kênh", "Người hỏi", "Nội dung", "Chủ đề", "Độ tin cậy",
                  "Khẩn cấp", "Câu trả lời"):  # fmt: skip
        assert f">{label}" in page


def test_no_user_hash_ever_reaches_a_page_or_export(desk: Desk, admin: httpx.Client) -> None:
    hashes = {
        str(h) for (h,) in query(desk.db_path, "SELECT DISTINCT user_hash FROM requests") if h
    }
    assert len(hashes) > 10
    seen = "".join(admin.get(path).text for path in (*PAGES, "/staff/search?page=2", *DOWNLOADS))
    seen = re.sub(r'name="csrf_token" value="[^"]+"', "", seen)  # random, unrelated
    for value in hashes:
        assert value[:12] not in seen


# ---------------------------------------------------------------- review queue


def section_ids(db_path: Path, key: str, rate: float) -> list[int]:
    where, params = logquery.section_where(key, rate)
    return ids(db_path, where, tuple(params))


def test_the_review_queue_sections_are_the_logs(desk: Desk, admin: httpx.Client) -> None:
    rate = Settings(_env_file=None).review_sample_rate
    low = section_ids(desk.db_path, "low", rate)
    urgent = section_ids(desk.db_path, "urgent", rate)
    assert len(low) > 3 and urgent
    for key, expected in (("low", low), ("urgent", urgent)):
        shown: list[int] = []
        for number in range(1, 10):
            page = admin.get("/staff/review", params={"section": key, "page": number}).text
            shown += shown_ids(page)
            if 'rel="next"' not in page:
                break
        assert shown == expected
    page = admin.get("/staff/review").text
    for section in logquery.SECTIONS:
        assert f'data-section="{section.key}"' in page and section.title in page
    assert f"({len(low)})" in page
    first_form = page.split("<tbody>")[1].split("</tr>")[0]
    options = re.findall(r'<option value="([^"]*)"', first_form.split('name="danger"')[0])
    mistakes = [k for k in logquery.MISTAKE_LABELS if k != SKIP_LABEL]
    assert options == ["", *mistakes, *ALL_INTENTS, SKIP_LABEL]
    assert "Bỏ qua (không dùng để huấn luyện)" in page


def label(
    desk: Desk, client: httpx.Client, row_id: int, intent: str, **headers: str
) -> httpx.Response:
    token = csrf_token(client.get("/staff/review").text)
    return client.post(
        f"/staff/review/{row_id}",
        data={"csrf_token": token, "label": intent, "page": "1"},
        headers=headers or {"Origin": desk.url},
    )


def test_a_label_is_saved_audited_and_leaves_the_queue(desk: Desk, admin: httpx.Client) -> None:
    target = review_ids(desk.db_path)[0]
    response = label(desk, admin, target, "school_violence")
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/review?page=1&saved={target}"
    assert query(desk.db_path, "SELECT label_danger, label_note FROM requests WHERE id = ?",
                 (target,)) == [(None, None)]  # fmt: skip
    [(stored, by, at)] = query(
        desk.db_path, "SELECT label, labelled_by, labelled_at FROM requests WHERE id = ?", (target,)
    )
    assert (stored, by) == ("school_violence", ADMIN) and at
    assert target not in review_ids(desk.db_path)
    after = admin.get(response.headers["location"]).text
    assert f"Đã lưu nhãn cho tin #{target}." in after
    assert target not in shown_ids(after)
    audit = query(
        desk.db_path,
        "SELECT username, action, detail FROM staff_audit WHERE target_id = ?",
        (target,),
    )
    assert audit == [(ADMIN, "label", "school_violence")]
    searched = admin.get("/staff/search", params={"labelled": "1"}).text
    assert target in shown_ids(searched) and "Nhãn: Bạo lực học đường" in searched


def test_skipping_a_message_takes_it_out_of_the_queue(desk: Desk, admin: httpx.Client) -> None:
    target = review_ids(desk.db_path)[0]
    assert label(desk, admin, target, SKIP_LABEL).status_code == 303
    assert target not in review_ids(desk.db_path)
    assert query(desk.db_path, "SELECT label FROM requests WHERE id = ?", (target,)) == [
        (SKIP_LABEL,)
    ]


@pytest.mark.parametrize(
    "headers",
    [{"Origin": EVIL}, {"Origin": "null"}, {"Referer": EVIL + "/staff/review"}, {}],
    ids=["foreign-origin", "null-origin", "foreign-referer", "no-origin-no-referer"],
)
def test_labels_from_other_sites_are_refused(
    desk: Desk, admin: httpx.Client, headers: dict[str, str]
) -> None:
    target = review_ids(desk.db_path)[0]
    token = csrf_token(admin.get("/staff/review").text)
    response = admin.post(
        f"/staff/review/{target}", data={"csrf_token": token, "label": "greet"}, headers=headers
    )
    assert response.status_code == 403
    assert target in review_ids(desk.db_path)


def test_labels_need_the_sessions_csrf_token(desk: Desk, admin: httpx.Client) -> None:
    target = review_ids(desk.db_path)[0]
    other = login(desk.url, ADMIN)
    someone_elses = csrf_token(other.get("/staff/review").text)
    other.close()
    for data in ({"label": "greet"}, {"label": "greet", "csrf_token": someone_elses},
                 {"label": "greet", "csrf_token": ""}):  # fmt: skip
        response = admin.post(f"/staff/review/{target}", data=data, headers={"Origin": desk.url})
        assert response.status_code == 403
        assert "CSRF" in response.text
    assert target in review_ids(desk.db_path)
    # With only a Referer from this site (some privacy tools strip Origin), it goes through.
    ok = label(desk, admin, target, "greet", Referer=f"{desk.url}/staff/review")
    assert ok.status_code == 303 and target not in review_ids(desk.db_path)


def test_bad_labels_and_missing_rows(desk: Desk, admin: httpx.Client) -> None:
    target = review_ids(desk.db_path)[0]
    assert label(desk, admin, target, "not_an_intent").status_code == 400
    assert label(desk, admin, target, "").status_code == 400
    assert target in review_ids(desk.db_path)
    missing = label(desk, admin, 10_000_000, "greet")
    assert missing.status_code == 404 and "#10000000" in missing.text


def test_viewers_read_and_export_but_do_not_label_or_audit(
    desk: Desk, viewer: httpx.Client
) -> None:
    page = viewer.get("/staff/review").text
    assert "Chỉ quản trị viên gán nhãn được" in page
    assert 'action="/staff/review/' not in page
    target = review_ids(desk.db_path)[0]
    response = label(desk, viewer, target, "greet")
    assert response.status_code == 403 and target in review_ids(desk.db_path)
    assert viewer.get("/staff/audit").status_code == 403
    assert 'href="/staff/audit"' not in viewer.get("/staff").text
    assert viewer.get("/staff/export/messages.csv").status_code == 200
    assert viewer.get("/staff/export/training.yml").status_code == 200


# ---------------------------------------------------------------- exports


def read_csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_of_the_filtered_list(desk: Desk, admin: httpx.Client) -> None:
    response = admin.get("/staff/export/messages.csv", params={"channel": "telegram", "q": "danh"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.csv"')
    rows = read_csv(response)
    expected = ids(desk.db_path, "channel = 'telegram' AND text_folded LIKE '%danh%'")
    assert [int(r["id"]) for r in rows] == expected
    assert list(rows[0]) == logquery.CSV_COLUMNS and "user_hash" not in rows[0]
    stored = dict(query(desk.db_path, "SELECT id, text FROM requests"))
    for row in rows:
        assert row["channel"] == "telegram"
        text = str(stored[int(row["id"])])
        assert row["text"] == ("'" + text if text.startswith("=") else text)
    audit = query(desk.db_path, "SELECT detail FROM staff_audit WHERE action = 'export_csv'")
    assert f"{len(rows)} dòng; q=danh; channel=telegram" in {a[0] for a in audit}


def test_csv_export_defuses_formulas(desk: Desk, admin: httpx.Client) -> None:
    rows = read_csv(admin.get("/staff/export/messages.csv", params={"q": "sum"}))
    assert rows and all(r["text"].startswith("'=SUM(1+1)") for r in rows)
    everything = read_csv(admin.get("/staff/export/messages.csv"))
    assert len(everything) == len(ids(desk.db_path))
    assert not any(value[:1] in "=+-@" for row in everything for value in row.values() if value)


def test_training_export_is_rasa_nlu_yaml_of_the_labels(desk: Desk, admin: httpx.Client) -> None:
    queue = review_ids(desk.db_path)
    chosen = {queue[0]: "report_abuse", queue[1]: "online_safety", queue[2]: SKIP_LABEL}
    for row_id, intent in chosen.items():
        assert label(desk, admin, row_id, intent).status_code == 303
    response = admin.get("/staff/export/training.yml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert response.headers["content-disposition"].endswith('.yml"')
    data = yaml.safe_load(response.text)
    assert data["version"] == "3.1" and set(data) == {"version", "nlu"}
    labelled = query(
        desk.db_path,
        "SELECT label, text FROM requests WHERE label IS NOT NULL AND label != ?",
        (SKIP_LABEL,),
    )
    by_intent: dict[str, list[str]] = {}
    for item in data["nlu"]:
        assert set(item) == {"intent", "examples"} and item["intent"] in ALL_INTENTS
        lines = item["examples"].splitlines()
        assert lines and all(line.startswith("- ") for line in lines)
        by_intent[item["intent"]] = [line[2:] for line in lines]
    assert {str(intent) for intent, _ in labelled} == set(by_intent)
    for intent, text in labelled:
        assert " ".join(logquery.naturalise(str(text)).split()) in by_intent[str(intent)]
    assert SKIP_LABEL not in response.text
    examples = "".join(item["examples"] for item in data["nlu"])
    assert "<TÊN>" not in examples and "<SĐT>" not in examples
    assert query(desk.db_path, "SELECT detail FROM staff_audit WHERE action = 'export_training'")


def test_exports_page_offers_both_downloads(admin: httpx.Client) -> None:
    page = admin.get("/staff/exports").text
    assert 'action="/staff/export/messages.csv"' in page
    assert 'href="/staff/export/training.yml"' in page
    assert "childsafe export-training" in page


# ---------------------------------------------------------------- audit log


def test_the_audit_page_lists_staff_actions(desk: Desk, admin: httpx.Client) -> None:
    admin.get("/staff/search", params={"q": "chị Hoa gọi 0987 654 321"})
    page = admin.get("/staff/audit").text
    for shown in ("Đăng nhập", "Tra cứu", "Gán nhãn", "Xuất CSV"):
        assert shown in page
    assert "0987" not in page and "&lt;SĐT&gt;" in page  # searches are redacted before storage
    (count,) = query(desk.db_path, "SELECT COUNT(*) FROM staff_audit")[0]
    assert f"{count} thao tác" in page


# ---------------------------------------------------------------- charts


@pytest.mark.parametrize(
    ("top", "step"),
    [(0, 1), (3, 1), (9, 5), (10, 5), (24, 10), (37, 10), (100, 50), (950, 500), (27.8, 10)],
)
def test_chart_gridlines_fall_on_whole_round_numbers(top: float, step: float) -> None:
    assert charts.nice_step(top) == step


def test_chart_series_keep_the_biggest_keys_and_sum_the_rest() -> None:
    days = charts.day_range(dt.date(2026, 2, 27), dt.date(2026, 3, 2))
    assert days == ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
    per_day = [{"a": 5, "b": 1}, {}, {"c": 2, "d": 1, "e": 1}, {"a": 1, "c": 1}]
    data = charts.grouped(days, per_day, {"a": "Chủ đề A"}, keep=2)
    assert [(s.key, s.label, s.values) for s in data.series] == [
        ("a", "Chủ đề A", (5.0, 0.0, 0.0, 1.0)),
        ("c", "c", (0.0, 0.0, 2.0, 1.0)),
        ("_other", "Khác", (1.0, 0.0, 2.0, 0.0)),
    ]
    assert data.rows()[2] == ("2026-03-01", [0.0, 2.0, 2.0])
    # One key too many is shown as itself, not as an "other" of one.
    assert [s.key for s in charts.grouped(days, per_day, {}, keep=4).series] == list("acbde")


def test_charts_are_accessible_svg_with_escaped_text() -> None:
    days = ["2026-03-01", "2026-03-02"]
    data = charts.ChartData(
        tuple(days), (charts.Series("x", "<script>alert(1)</script>", (2.0, 0.0), "#0072b2"),)
    )
    svg = str(charts.stacked_bars(data, "c1", "Tiêu đề <b>", "Mô tả & chú thích", "tin"))
    assert svg.startswith('<svg class="chart" id="c1"') and 'role="img"' in svg
    assert 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">Tiêu đề &lt;b&gt;</title>' in svg
    assert '<desc id="c1-d">Mô tả &amp; chú thích</desc>' in svg
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<rect") == 1  # no bar for a zero
    line = str(charts.lines(data, "c2", "t", "d", percent=True))
    assert line.count("<circle") == 2 and "<polyline" in line
    assert "<title>02/03 · &lt;script&gt;alert(1)&lt;/script&gt;: 0%</title>" in line
