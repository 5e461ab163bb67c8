"""The counsellor handoff (#15) in real headless Chromium, end to end on the web chat: a user
on the chat page asks for a person; a counsellor in the inbox (/staff/inbox, a second browser
context) goes on duty, claims the chat and replies; the reply appears on the user's page
without a reload; the user's next message reaches the counsellor's screen and gets no bot
answer; the counsellor closes and the assistant answers again. Screenshots:
test-artifacts/screenshots/handoff-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from starlette.applications import Starlette

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from tests.bot.web.test_handoff_web import COUNSELLOR, PASSWORD, handoff_settings
from tests.bot.web.test_webchat_browser import ask, bot_bubbles, no_errors
from tests.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return handoff_settings(tmp_path)


@pytest.fixture
def live_app(settings: Settings) -> Starlette:
    AuthStore(settings.db_path).add_user(COUNSELLOR, PASSWORD, "counsellor")
    return create_app(settings)


@pytest.fixture
def desk_page(chromium: Browser, live_server: str) -> Iterator[Page]:
    """The counsellor's browser: logged in, on the inbox."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 800}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server + "/staff/inbox")
    page.get_by_label("Tên đăng nhập").fill(COUNSELLOR)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(live_server + "/staff/inbox")
    try:
        yield page
    finally:
        context.close()


def write(page: Page, text: str) -> None:
    box = page.locator("#composer-input")
    box.fill(text)
    box.press("Enter")


def test_a_counsellor_takes_over_the_web_chat_and_hands_it_back(
    browser_page: Page,
    desk_page: Page,
    live_server: str,
    console_messages: list[str],
    artifact_dir: Path,
) -> None:
    user, desk = browser_page, desk_page
    user.goto(live_server + "/")
    expect(desk.locator("#live")).to_have_text("Trực tuyến")  # the event stream is open
    desk.locator("#duty").check()
    expect(desk.locator("#duty-label")).to_have_text("Đang trực")

    queued = ask(user, "cho em nói chuyện với tư vấn viên được không")
    expect(queued).to_contain_text("vị trí số 1")
    expect(queued).to_contain_text("mã hóa")
    expect(queued.get_by_role("button", name="Hủy")).to_be_visible()

    bubbles = bot_bubbles(user).count()
    write(user, "em bị bạn cùng lớp bắt nạt mấy tuần nay")
    expect(user.locator(".msg--user .msg__sent").last).to_contain_text("đã chuyển")
    user.wait_for_timeout(500)
    expect(bot_bubbles(user)).to_have_count(bubbles)  # no bot answer while waiting for a person

    item = desk.locator("#queue button").first
    expect(item).to_contain_text("Đang chờ")  # arrived without a reload
    item.click()
    expect(desk.locator("#messages")).to_contain_text("em bị bạn cùng lớp bắt nạt")
    expect(desk.locator("#messages")).not_to_contain_text("cho em nói chuyện")  # the earlier chat
    desk.locator("#claim").click()
    expect(desk.locator("#case-meta")).to_contain_text("Đang trò chuyện")
    desk.locator("#reply-text").fill("Chào em, anh là tư vấn viên. Em kể anh nghe nhé.")
    desk.get_by_role("button", name="Gửi").click()

    counsellor = user.locator(".msg--counsellor")
    expect(counsellor).to_contain_text("Em kể anh nghe nhé")  # live, no reload
    screenshot(user, artifact_dir, "handoff-user-chat")

    bubbles = bot_bubbles(user).count()
    write(user, "dạ em cảm ơn anh, bạn ấy hay chặn đường em")
    expect(desk.locator("#messages")).to_contain_text("hay chặn đường em")
    expect(bot_bubbles(user)).to_have_count(bubbles)  # still no bot answer
    write(user, "bố em đang đánh em chảy máu, cứu em")  # danger while a person holds the chat
    expect(desk.locator("#alert")).to_be_visible()  # the counsellor sees it at once
    expect(desk.locator("#alert")).to_contain_text("Nguy hiểm")
    expect(bot_bubbles(user)).to_have_count(bubbles)  # the assistant still stays silent
    screenshot(desk, artifact_dir, "handoff-desk")
    desk.locator("#ack").click()
    expect(desk.locator("#alert")).to_be_hidden()

    desk.locator("details.tools summary").click()
    desk.locator("#outcome").select_option("advice_given")
    desk.get_by_role("button", name="Kết thúc cuộc trò chuyện").click()
    expect(user.locator(".msg--notice").last).to_contain_text("kết thúc")

    after = ask(user, "bạo lực học đường thì báo ai")
    expect(after).not_to_have_class("msg msg--bot msg--counsellor")
    expect(after).to_contain_text("111")
    no_errors(console_messages)


def test_the_inbox_fits_a_phone(chromium: Browser, live_server: str, artifact_dir: Path) -> None:
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(live_server + "/staff/inbox")
        page.get_by_label("Tên đăng nhập").fill(COUNSELLOR)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.locator("#live")).to_have_text("Trực tuyến")
        page.locator("#duty").check()
        expect(page.locator("#duty-label")).to_have_text("Đang trực")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the inbox is {overflow}px wider than the phone"
        screenshot(page, artifact_dir, "handoff-desk-phone")
    finally:
        context.close()
