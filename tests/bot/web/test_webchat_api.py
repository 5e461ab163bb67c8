"""The web chat's HTTP surface, over real HTTP on loopback: pages, widget, CORS, erase."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from bot.app import create_app
from bot.settings import Settings
from bot.web.security import allowed_origins, checked_exit_url, normalise_origin
from handlers.models import Audience
from handlers.pipeline import Assistant

SCHOOL = "https://thcs-le-loi.example.edu.vn"
CENTRE = "http://localhost:8080"
STRANGER = "https://evil.example.com"
SESSION = "3f9c2a1b7d4e8f60a1b2c3d4e5f60718"
PAGES = ("/", "/embed", "/neutral")
ASSETS = ("/web/chat.css", "/web/chat.js", "/web/icon.svg", "/widget.js")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Configured as a deployer would write it: spaces, a trailing slash, mixed case.
    origins = f" {SCHOOL.upper().replace('HTTPS', 'https')}/ , {CENTRE}"
    return settings.model_copy(update={"cors_origins": origins})


@pytest.fixture
def client(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        yield http


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


# ---------------------------------------------------------------- pages and assets


def test_chat_page_is_the_home_page_in_vietnamese_with_111(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="vi">' in page
    assert 'href="tel:111"' in page
    assert 'for="composer-input"' in page  # the message box has a label
    assert 'aria-live="polite"' in page
    assert "Thoát nhanh" in page
    assert "Xóa cuộc trò chuyện" in page
    assert 'src="/web/chat.js"' in page
    assert "<script>" not in page  # no inline script: the CSP forbids it anyway


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_security_headers_and_set_no_cookie(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in response.headers


def test_only_the_embed_page_is_frameable_and_only_by_configured_origins(
    client: httpx.Client,
) -> None:
    home = client.get("/")
    assert "frame-ancestors 'none'" in home.headers["content-security-policy"]
    assert home.headers["x-frame-options"] == "DENY"

    embed = client.get("/embed")
    ancestors = re.search(r"frame-ancestors ([^;]+)", embed.headers["content-security-policy"])
    assert ancestors is not None
    assert sorted(ancestors.group(1).split()) == sorted(["'self'", SCHOOL, CENTRE])
    assert "x-frame-options" not in embed.headers  # it cannot list origins; the CSP does


def test_widget_script_is_javascript_that_any_site_may_load(client: httpx.Client) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "/embed" in response.text
    assert "set-cookie" not in response.headers

    again = client.get("/widget.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_elsewhere(client: httpx.Client, path: str) -> None:
    # Every src/href is on this site (or a phone number). The browser tests check the
    # same thing at run time: any request off loopback fails them.
    attributes = re.findall(r'(?<![\w-])(?:src|href|action)="([^"]*)"', client.get(path).text)
    for attribute in attributes:
        assert attribute.startswith(("/", "#", "tel:")), attribute


def test_the_stylesheet_pulls_in_no_fonts_or_images(client: httpx.Client) -> None:
    css = client.get("/web/chat.css").text
    assert "@import" not in css
    assert "url(" not in css
    assert "@font-face" not in css


@pytest.mark.parametrize("path", ["/web/routes.py", "/web/..%2Froutes.py", "/web/index.html"])
def test_only_listed_assets_are_served(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_status_says_only_that_the_service_is_up(client: httpx.Client) -> None:
    response = client.get("/status")
    assert response.status_code == 200
    assert "Đang chạy" in response.text
    assert "/api/chat" not in response.text  # details are for staff, at /staff/status (#17)


def test_quick_exit_target_is_in_the_page(client: httpx.Client) -> None:
    assert 'content="https://www.google.com"' in client.get("/").text


# ---------------------------------------------------------------- CORS


@pytest.mark.parametrize("path", ["/api/chat", "/api/erase"])
@pytest.mark.parametrize("origin", [SCHOOL, CENTRE])
def test_configured_origins_may_call_the_api(client: httpx.Client, path: str, origin: str) -> None:
    body = {"text": "xin chào", "session": SESSION} if path == "/api/chat" else {"session": SESSION}
    response = client.post(path, json=body, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert "origin" in response.headers["vary"].lower()
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize("path", ["/api/chat", "/api/erase"])
@pytest.mark.parametrize(
    "origin", [STRANGER, "null", f"{SCHOOL}.evil.com", "http://thcs-le-loi.example.edu.vn"]
)
def test_other_origins_get_no_cors_headers(client: httpx.Client, path: str, origin: str) -> None:
    body = {"text": "xin chào", "session": SESSION} if path == "/api/chat" else {"session": SESSION}
    response = client.post(path, json=body, headers={"Origin": origin})
    assert cors_headers(response) == {}


def test_same_origin_and_origin_less_requests_get_no_cors_headers(client: httpx.Client) -> None:
    response = client.post("/api/chat", json={"text": "xin chào"})
    assert response.status_code == 200
    assert cors_headers(response) == {}


@pytest.mark.parametrize("path", ["/api/chat", "/api/erase"])
def test_preflight_from_a_configured_origin_is_answered(client: httpx.Client, path: str) -> None:
    response = client.options(
        path,
        headers={
            "Origin": SCHOOL,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SCHOOL
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert int(response.headers["access-control-max-age"]) > 0


@pytest.mark.parametrize(
    ("origin", "method", "request_headers"),
    [
        (STRANGER, "POST", "content-type"),  # not configured
        (SCHOOL, "DELETE", ""),  # a method the API does not take
        (SCHOOL, "POST", "content-type, authorization"),  # a header the API does not take
    ],
)
def test_preflight_is_refused_without_cors_headers(
    client: httpx.Client, origin: str, method: str, request_headers: str
) -> None:
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    response = client.options("/api/chat", headers=headers)
    assert response.status_code == 403
    assert cors_headers(response) == {}


def test_cors_is_limited_to_the_api(client: httpx.Client) -> None:
    assert cors_headers(client.get("/", headers={"Origin": SCHOOL})) == {}
    assert cors_headers(client.get("/healthz", headers={"Origin": SCHOOL})) == {}


def test_origin_configuration_is_normalised_and_malformed_entries_ignored() -> None:
    configured = [f"{SCHOOL}/", "HTTPS://Truong.Example:443", "*", "truong.example", "ftp://x.y"]
    assert allowed_origins(configured) == frozenset({SCHOOL, "https://truong.example"})
    assert normalise_origin("http://127.0.0.1:8001") == "http://127.0.0.1:8001"
    assert normalise_origin("null") is None


# ---------------------------------------------------------------- erase


def test_erase_forgets_the_session_and_erases_its_logged_rows(
    client: httpx.Client, live_app: Starlette
) -> None:
    assistant = live_app.state.assistant
    erased_keys: list[str] = []

    def record_erase(user_key: str) -> int:
        erased_keys.append(user_key)
        return 2

    assistant.erase_hooks.append(record_erase)
    key = assistant.user_key("web", SESSION)
    reply = client.post("/api/chat", json={"text": "tôi là giáo viên", "session": SESSION})
    assert reply.status_code == 200
    assert assistant.state.get(key).role is Audience.TEACHER

    response = client.post("/api/erase", json={"session": SESSION})
    assert response.status_code == 200
    assert response.json()["erased"] >= 2
    assert erased_keys == [key]  # the same hashed key the request log files rows under
    assert assistant.state.get(key).role is None
    assert "set-cookie" not in response.headers


def test_erase_deletes_the_sessions_rows_from_the_request_log(
    client: httpx.Client, live_app: Starlette, settings: Settings
) -> None:
    assistant = live_app.state.assistant
    request_log = assistant.request_log
    assert request_log is not None, "the server logs requests by default"
    other = "a" * 32
    for text in ("con tôi bị bạn bắt nạt", "báo cáo ở đâu"):
        assert client.post("/api/chat", json={"text": text, "session": SESSION}).is_success
    assert client.post("/api/chat", json={"text": "xin chào", "session": other}).is_success
    assert request_log.flush()

    def rows_of(session: str) -> int:
        key = assistant.user_key("web", session)
        with sqlite3.connect(settings.db_path) as db:
            (count,) = db.execute(
                "SELECT count(*) FROM requests WHERE user_hash = ?", (key,)
            ).fetchone()
        return int(count)

    assert rows_of(SESSION) == 2
    response = client.post("/api/erase", json={"session": SESSION})
    assert response.json() == {"erased": 2, "ok": True}
    assert rows_of(SESSION) == 0
    assert rows_of(other) == 1  # nobody else's rows


def test_erasing_an_unknown_session_is_not_an_error(client: httpx.Client) -> None:
    response = client.post("/api/erase", json={"session": "0" * 32})
    assert response.status_code == 200
    assert response.json() == {"erased": 0, "ok": True}


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"session": "abc"', "application/json", 400),  # truncated JSON
        (b"\xff\xfe\x00binary", "application/json", 400),
        (b'["abc"]', "application/json", 400),
        (b'{"session": "abc"}', "text/plain", 415),
        (b"{}", "application/json", 422),
        (b'{"session": ""}', "application/json", 422),
        (b'{"session": 12345}', "application/json", 422),
        (b'{"session": null}', "application/json", 422),
        (b'{"session": "' + b"a" * 129 + b'"}', "application/json", 422),
        (b'{"session": "' + b"a" * 70_000 + b'"}', "application/json", 413),
    ],
)
def test_bad_erase_requests_get_a_clear_4xx(
    client: httpx.Client, body: bytes, content_type: str, status: int
) -> None:
    response = client.post("/api/erase", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    assert "error" in response.json()


def test_bad_chat_requests_get_a_clear_4xx_with_cors_for_the_widget(client: httpx.Client) -> None:
    # A configured site's own script can read why its request failed.
    response = client.post("/api/chat", json={"session": SESSION}, headers={"Origin": SCHOOL})
    assert response.status_code == 422
    assert response.headers["access-control-allow-origin"] == SCHOOL
    huge = client.post(
        "/api/chat",
        content=b'{"text": "' + b"a" * 70_000 + b'"}',
        headers={"Content-Type": "application/json", "Origin": SCHOOL},
    )
    assert huge.status_code == 413
    assert huge.headers["access-control-allow-origin"] == SCHOOL


def test_chat_replies_carry_actions_for_buttons(client: httpx.Client) -> None:
    reply = client.post("/api/chat", json={"text": "em muốn chết", "session": SESSION}).json()
    assert reply["urgent"] is True
    assert reply["hotlines"][0] == "111"
    assert {"label", "payload", "phone"} <= set(reply["actions"][0])


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "//evil.example", "www.google.com", "data:text/html,x", ""]
)
def test_an_unsafe_exit_url_stops_the_server_from_starting(
    settings: Settings, assistant: Assistant, url: str
) -> None:
    with pytest.raises(ValueError, match="CHILDSAFE_WEB_EXIT_URL"):
        create_app(settings.model_copy(update={"web_exit_url": url}), assistant)


@pytest.mark.parametrize("url", ["https://www.google.com", "https://vnexpress.net/", "/neutral"])
def test_exit_url_accepts_web_addresses_and_local_paths(url: str) -> None:
    assert checked_exit_url(url) == url
