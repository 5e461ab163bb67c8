"""Shared fixtures for tests that drive the real app in a real headless Chromium.

The browser is Debian's `chromium` (`make browser-deps` installs it), driven by the
Playwright Python package; Playwright's own browser download is never used. One
browser per test session; every test gets a fresh context (its own profile state:
storage, cache, cookies), so nothing leaks between tests.

No test may touch the internet: every request leaving loopback is aborted and recorded,
and a test that caused one fails at teardown. Chromium's own background traffic is
switched off by its flags, and a dead proxy catches anything that slips past.

Fixtures (loaded by `pytest_plugins = ["tests.browser"]` in tests/conftest.py):

- `live_app` / `live_server`: `bot.app.create_app(settings)` served by uvicorn on a free
  127.0.0.1 port in a background thread; `live_server` is its base URL. Override the
  `settings` fixture in a test module to configure the server.
- `browser_page`: a Playwright `Page` at the size named by the `viewport` fixture
  ("desktop" by default; `@pytest.mark.parametrize("viewport", ["phone", "desktop"])`).
- `blocked_requests`, `console_messages`: what the page tried to fetch off loopback, and
  what it logged (CSP violations and uncaught errors show up here).
- `artifact_dir`: test-artifacts/screenshots/, kept after the run; see `screenshot()`.
- `serve(app, sock)`: run any ASGI app (a second origin, a fake host site) the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, Route, sync_playwright
from starlette.applications import Starlette

from bot.app import create_app
from bot.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACT_DIR = PROJECT_ROOT / "test-artifacts" / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Anything not on loopback goes to a port nobody listens on (loopback bypasses proxies).
    "--proxy-server=http://127.0.0.1:9",
]
SERVER_START_TIMEOUT_S = 120.0  # the app warms its NLU model (and may train it) on startup
ACTION_TIMEOUT_MS = 15_000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


@dataclass(frozen=True, slots=True)
class Viewport:
    width: int
    height: int
    mobile: bool


VIEWPORTS = {
    "phone": Viewport(390, 844, mobile=True),
    "desktop": Viewport(1280, 800, mobile=False),
}


# ---------------------------------------------------------------- servers


def loopback_socket() -> socket.socket:
    """A listening-ready socket on a free 127.0.0.1 port (bound now, so no other process
    can take the port between choosing it and serving on it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextlib.contextmanager
def serve(app: Any, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve an ASGI app with uvicorn in a background thread; yield its base URL."""
    sock = sock or loopback_socket()
    url = base_url(sock)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="auto"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn {url}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"the server at {url} stopped during startup (see the log above)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"the server at {url} did not start in {SERVER_START_TIMEOUT_S}s")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def live_app(settings: Settings) -> Starlette:
    """The real app, with every feature this build has, on the test's settings."""
    return create_app(settings)


@pytest.fixture
def live_server(live_app: Starlette) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT) of `live_app`, served for the test's duration."""
    with serve(live_app) as url:
        yield url


# ---------------------------------------------------------------- the browser

# Set by .ci/run: there, a browser or redis-server that is missing fails the run instead
# of skipping its tests (a developer without root gets skips with the reason instead).
REQUIRE_SERVICES = "CHILDSAFE_TEST_REQUIRE_SERVICES"


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    reason = (
        "Debian's chromium is not installed: `make browser-deps` installs it "
        "(as root: apt-get install chromium fonts-noto-color-emoji)"
    )
    if os.environ.get(REQUIRE_SERVICES):  # CI: a missing browser is a failure, not a skip
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOOPBACK_HOSTS


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium per test module. Playwright gives it a fresh temporary profile
    (user-data dir) and deletes it on close; each test then opens its own context.

    Module, not session, scope: Playwright's sync API keeps an event loop running in the main
    thread while it is open, and every async test collected after it would fail with
    "Runner.run() cannot be called from a running event loop"."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def viewport() -> str:
    """The size `browser_page` opens at; parametrize it to run a test at several sizes."""
    return "desktop"


@pytest.fixture
def blocked_requests() -> list[str]:
    return []


@pytest.fixture
def console_messages() -> list[str]:
    return []


@pytest.fixture
def browser_page(
    chromium: Browser,
    viewport: str,
    blocked_requests: list[str],
    console_messages: list[str],
) -> Iterator[Page]:
    """A page in a fresh browser context; requests off loopback are aborted and recorded,
    and the test fails at teardown if there were any."""
    size = VIEWPORTS[viewport]
    context = chromium.new_context(
        viewport={"width": size.width, "height": size.height},
        device_scale_factor=2 if size.mobile else 1,
        is_mobile=size.mobile,
        has_touch=size.mobile,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        service_workers="block",
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)

    def guard(route: Route) -> None:
        url = route.request.url
        if is_loopback(url):
            route.continue_()
        else:
            blocked_requests.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in {"error", "warning"}:
            console_messages.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: console_messages.append(f"uncaught: {exc}"))
    try:
        yield page
    finally:
        context.close()
    assert not blocked_requests, f"the page tried to leave loopback: {blocked_requests}"


@pytest.fixture(scope="session")
def artifact_dir() -> Path:
    """Where screenshots are kept after the run (gitignored)."""
    ARTIFACT_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACT_DIR


def screenshot(page: Page, artifact_dir: Path, name: str) -> Path:
    """Save what the page shows now as `<artifact_dir>/<name>.png` and return the path."""
    path = artifact_dir / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
