"""The staff desk (#6) in a real headless Chromium against the real app on loopback: log in,
overview with its charts, search, label a message in the review queue, download the CSV,
and anonymous visitors turned away. The log is written by the real assistant from web and
Telegram messages. Screenshots: test-artifacts/screenshots/staff-*.png."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from handlers import logquery
from tests.bot.staff.test_staff_routes import (
    ADMIN,
    PASSWORD,
    VIEWER,
    ids,
    seed_log,
    seeded_assistant,
)
from tests.browser import screenshot

pytestmark = pytest.mark.browser

BOTH_SIZES = pytest.mark.parametrize("viewport", ["phone", "desktop"])


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_cookie_secure": False})  # http on loopback


@pytest.fixture
def live_app(settings: Settings) -> Starlette:
    """The real app over a log the real assistant wrote, with an admin and a viewer."""
    assistant, request_log, clock = seeded_assistant(settings)
    seed_log(assistant, request_log, clock)
    assert assistant.request_log is request_log
    auth = AuthStore(settings.db_path)
    auth.add_user(ADMIN, PASSWORD, "admin")
    auth.add_user(VIEWER, PASSWORD, "viewer")
    return create_app(settings, assistant)


@pytest.fixture
def db_path(settings: Settings) -> Path:
    return settings.db_path


def log_in(page: Page, live_server: str, name: str = ADMIN, then: str = "/staff") -> None:
    page.goto(live_server + then)
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(live_server + then)


def assert_fits_the_screen(page: Page) -> None:
    """Nothing sticks out sideways (the page never scrolls horizontally)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@BOTH_SIZES
def test_log_in_and_read_the_overview_charts(
    browser_page: Page,
    live_server: str,
    artifact_dir: Path,
    console_messages: list[str],
    db_path: Path,
    viewport: str,
) -> None:
    page = browser_page
    log_in(page, live_server)
    expect(page.get_by_role("heading", name="Tổng quan", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Tổng quan")).to_have_attribute("aria-current", "page")
    kpi = page.locator(".kpi").first.locator(".kpi-value")
    assert int(kpi.inner_text()) == len(ids(db_path))  # all three days are in the last 7
    charts = page.locator("svg.chart[role=img]")
    expect(charts).to_have_count(4)
    for i in range(4):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["height"] > 80 and box["width"] > 250, box
    assert page.locator("#chart-topics rect").count() >= 6  # stacked bars on three days
    assert page.locator("#chart-fallback circle").count() == 7  # a point a day
    assert_fits_the_screen(page)
    charts.first.scroll_into_view_if_needed()
    screenshot(page, artifact_dir, f"staff-overview-charts-{viewport}")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, artifact_dir, f"staff-overview-{viewport}")
    page.get_by_text("Xem bảng số liệu").first.click()
    table = page.locator("table.data").first
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(7)
    assert not console_messages, console_messages


def test_search_without_diacritics_finds_them(
    browser_page: Page, live_server: str, artifact_dir: Path, db_path: Path
) -> None:
    page = browser_page
    log_in(page, live_server, then="/staff/search")
    page.get_by_label("Tìm trong nội dung").fill("danh")
    page.get_by_label("Kênh").select_option("web")
    page.get_by_role("button", name="Tìm").click()
    expect(page).to_have_url(re.compile(r"q=danh.*channel=web"))
    rows = page.locator("table.rows tbody tr[data-id]")
    expected = ids(db_path, "channel = 'web' AND text_folded LIKE '%danh%'")
    expect(rows).to_have_count(len(expected))
    texts = rows.locator("td.text").all_inner_texts()
    assert any("đánh" in t for t in texts)
    assert all("danh" in t.replace("đ", "d").replace("á", "a").lower() for t in texts)
    expect(page.get_by_label("Tìm trong nội dung")).to_have_value("danh")  # kept
    screenshot(page, artifact_dir, "staff-search")


@BOTH_SIZES
def test_label_a_message_in_the_review_queue(
    browser_page: Page, live_server: str, artifact_dir: Path, db_path: Path, viewport: str
) -> None:
    page = browser_page
    log_in(page, live_server, then="/staff/review?section=low")
    where, params = logquery.section_where("low", 0.02)
    queue = ids(db_path, where, tuple(params))
    first = page.locator(f"tr[data-id='{queue[0]}']")
    expect(first).to_be_visible()
    assert_fits_the_screen(page)
    screenshot(page, artifact_dir, f"staff-review-{viewport}")
    first.get_by_label(f"Nhãn cho tin #{queue[0]}").select_option("school_violence")
    first.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu nhãn")).to_contain_text(
        f"#{queue[0]}"
    )
    expect(page.locator(f"tr[data-id='{queue[0]}']")).to_have_count(0)
    assert ids(db_path, where, tuple(params)) == queue[1:]
    expect(page.locator(f"tr[data-id='{queue[1]}']")).to_be_visible()

    page.goto(live_server + "/staff/audit")
    expect(page.locator("tr.action-label").first).to_contain_text(f"#{queue[0]}")
    screenshot(page, artifact_dir, f"staff-audit-{viewport}")


def test_export_the_filtered_list_as_csv(
    browser_page: Page, live_server: str, artifact_dir: Path, db_path: Path
) -> None:
    page = browser_page
    log_in(page, live_server, name=VIEWER, then="/staff/exports")
    form = page.locator("form.filters")
    form.get_by_label("Khẩn cấp").select_option("1")
    screenshot(page, artifact_dir, "staff-exports")
    with page.expect_download() as download_info:
        form.get_by_role("button", name="Tải CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("childsafe-tin-nhan-")
    assert download.suggested_filename.endswith(".csv")
    saved = artifact_dir.parent / "downloads" / "staff-urgent.csv"
    download.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [int(r["id"]) for r in rows] == ids(db_path, "urgent = 1")
    assert rows and all(r["urgent"] == "True" for r in rows)

    with page.expect_download() as training_info:
        page.get_by_role("link", name="Tải tệp YAML").click()
    assert training_info.value.suggested_filename.endswith(".yml")


def test_anonymous_visitors_see_only_the_login_page(
    browser_page: Page, live_server: str, artifact_dir: Path, console_messages: list[str]
) -> None:
    page = browser_page
    for path in ("/staff", "/staff/search?q=danh", "/staff/review", "/staff/audit"):
        page.goto(live_server + path)
        expect(page).to_have_url(re.compile(r"/staff/login\?next="))
        expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
        expect(page.locator("table")).to_have_count(0)
    response = page.goto(live_server + "/staff/export/messages.csv")
    assert response is not None and response.status == 401
    page.goto(live_server + "/staff/login")
    page.get_by_label("Tên đăng nhập").fill(ADMIN)
    page.get_by_label("Mật khẩu").fill("không phải mật khẩu")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")  # never echoed back
    screenshot(page, artifact_dir, "staff-login-refused")
    unexpected = [m for m in console_messages if "status of 401" not in m]  # the refusals
    assert not unexpected, unexpected


def test_a_viewer_cannot_label_or_read_the_audit_log(browser_page: Page, live_server: str) -> None:
    page = browser_page
    log_in(page, live_server, name=VIEWER, then="/staff/review")
    expect(page.get_by_text("Chỉ quản trị viên gán nhãn được")).to_be_visible()
    expect(page.locator("form.label-form")).to_have_count(0)
    expect(page.get_by_role("link", name="Nhật ký thao tác")).to_have_count(0)
    page.goto(live_server + "/staff/audit")
    expect(page.get_by_text("Trang này chỉ dành cho quản trị viên.")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("status")).to_contain_text("Bạn đã đăng xuất.")
    page.goto(live_server + "/staff")
    expect(page).to_have_url(re.compile(r"/staff/login\?next="))
