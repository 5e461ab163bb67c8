"""A conversation in the web chat, in a real headless Chromium against the real app (#13):
a long answer leads with its essentials and "Xem thêm" opens the rest; a place is remembered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.bot.web.test_webchat_browser import ask, bot_bubbles, chat_requests, no_errors
from tests.browser import screenshot

pytestmark = pytest.mark.browser


def test_xem_them_opens_the_rest_of_a_long_answer(
    browser_page: Page, live_server: str, artifact_dir: Path, console_messages: list[str]
) -> None:
    page = browser_page
    sent = chat_requests(page)
    page.goto(live_server + "/")
    ask(page, "tôi là giáo viên")
    first = ask(page, "quy trình xử lý bạo lực học đường ở trường")
    expect(first.locator(".source")).to_have_count(1)
    more = first.get_by_role("button", name=re.compile("Xem thêm"))
    expect(more).to_be_visible()
    assert len(first.locator(".msg__body").inner_text()) <= 900
    screenshot(page, artifact_dir, "webchat-xem-them-before")

    more.click()
    expect(bot_bubbles(page)).to_have_count(4)  # greeting, role, answer, the rest
    rest = bot_bubbles(page).last
    expect(rest.locator(".msg__body")).not_to_be_empty()
    expect(rest.locator(".source")).to_have_count(0)  # sources are shown once
    assert sent[-1]["text"] == "@cmd:more"
    expect(page.locator("#messages .msg--user").last).to_have_text(re.compile("Xem thêm"))
    screenshot(page, artifact_dir, "webchat-xem-them-after")
    no_errors(console_messages)


def test_a_place_is_remembered_and_hai_phongs_line_is_not_local_elsewhere(
    browser_page: Page, live_server: str, console_messages: list[str]
) -> None:
    page = browser_page
    page.goto(live_server + "/")
    noted = ask(page, "tôi ở Cần Thơ")
    expect(noted).to_contain_text("Cần Thơ")
    local = ask(page, "số điện thoại ở địa phương")
    expect(local).to_contain_text("111")
    expect(local).to_contain_text("Cần Thơ")
    expect(local).not_to_contain_text("18006605")
    thanks = ask(page, "ok cảm ơn")
    assert len(thanks.inner_text()) < 300
    no_errors(console_messages)
