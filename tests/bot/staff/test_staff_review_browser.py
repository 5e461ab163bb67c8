"""The staff desk's learning loop (#16) in a real headless Chromium against the real app on
loopback, over a log the real assistant wrote: the queue's sections, the reply shown, the
conversation view, labelling every kind of mistake (saved, audited), and the content page.
Screenshots: test-artifacts/screenshots/staff-review-*.png, staff-conversation-*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette

from bot.app import create_app
from bot.settings import Settings
from bot.staff.auth import AuthStore
from handlers import logquery
from handlers.models import IncomingMessage
from tests.bot.staff.test_staff_browser import assert_fits_the_screen, log_in
from tests.bot.staff.test_staff_routes import (
    ADMIN,
    PASSWORD,
    ids,
    query,
    seed_log,
    seeded_assistant,
)
from tests.browser import screenshot

pytestmark = pytest.mark.browser

BOTH_SIZES = pytest.mark.parametrize("viewport", ["phone", "desktop"])
QUESTION = "trẻ mồ côi được trợ cấp bao nhiêu tiền một tháng"
COMPLAINT = "không đúng ý mình"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"staff_cookie_secure": False, "review_sample_rate": 0.5})


@pytest.fixture
def live_app(settings: Settings) -> Starlette:
    assistant, request_log, clock = seeded_assistant(settings)
    seed_log(assistant, request_log, clock)
    for text in (QUESTION, COMPLAINT):
        clock.now += dt.timedelta(seconds=20)
        assistant.handle(IncomingMessage(text, user="grandma", channel="web"))
    assert request_log.flush(30)
    AuthStore(settings.db_path).add_user(ADMIN, PASSWORD, "admin")
    return create_app(settings, assistant)


@pytest.fixture
def db_path(settings: Settings) -> Path:
    return settings.db_path


def one(db_path: Path, where: str) -> int:
    found = ids(db_path, where)
    assert found, where
    return found[0]


@BOTH_SIZES
def test_from_the_queue_to_the_conversation_to_a_label(
    browser_page: Page, live_server: str, artifact_dir: Path, db_path: Path, viewport: str
) -> None:
    page = browser_page
    log_in(page, live_server, then="/staff/review")
    for section in logquery.SECTIONS:
        expect(page.get_by_role("heading", name=section.title, level=2)).to_be_visible()
    assert_fits_the_screen(page)
    screenshot(page, artifact_dir, f"staff-review-sections-{viewport}")

    # the urgent reply is shown: its kind, its lines, its text
    urgent = one(db_path, "kind = 'urgent' AND label IS NULL")
    row = page.locator(f"#section-urgent tr[data-id='{urgent}']")
    expect(row.locator(".tag-line").filter(has_text=re.compile(r"^111$"))).to_be_visible()
    row.get_by_text("Trợ lý đã trả lời").click()
    [(reply_text,)] = query(db_path, "SELECT reply_text FROM requests WHERE id = ?", (urgent,))
    expect(row.locator(".said")).to_be_visible()
    expect(row.locator(".said")).to_contain_text(str(reply_text).splitlines()[0][:40])

    # the complaint points at the answer before it; its conversation, in order
    asked = one(db_path, f"text = '{QUESTION}'")
    complained = page.locator(f"#section-complaint tr[data-id='{asked}']")
    expect(complained).to_be_visible()
    complained.get_by_role("link", name="Cả cuộc trò chuyện").click()
    expect(page).to_have_url(re.compile(rf"/staff/conversation/{asked}"))
    turns = page.locator("li.turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(0)).to_contain_text(QUESTION)
    expect(turns.nth(1)).to_contain_text(COMPLAINT)
    expect(turns.nth(1).locator(".tag-feedback")).to_be_visible()
    expect(turns.nth(0).locator(".said")).not_to_be_empty()
    assert_fits_the_screen(page)
    screenshot(page, artifact_dir, f"staff-conversation-{viewport}")

    # label the answer as wrong, with a note for the content editor
    focus = page.locator(f"li.turn[data-id='{asked}']")
    focus.get_by_label(f"Nhãn cho tin #{asked}").select_option("answer_wrong")
    focus.get_by_label("Ghi chú").fill("mức trợ cấp đã đổi từ 2025")
    focus.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu nhãn")).to_contain_text(f"#{asked}")
    expect(page.locator(f"li.turn[data-id='{asked}'] .tag-label")).to_contain_text(
        "Câu trả lời sai hoặc đã cũ"
    )
    [(answer_id,)] = query(db_path, "SELECT answer_id FROM requests WHERE id = ?", (asked,))
    page.goto(live_server + "/staff/content")
    entry = page.locator(f"tr[data-answer='{answer_id}']")
    expect(entry).to_contain_text("mức trợ cấp đã đổi từ 2025")
    assert_fits_the_screen(page)
    screenshot(page, artifact_dir, f"staff-content-{viewport}")


KINDS = [
    ("urgent", "false_alarm", {}),
    ("urgent", "fine", {}),
    ("low", "should_be_urgent", {"danger": "abuse"}),
    ("low", "wrong_audience", {"note": "giáo viên hỏi"}),
    ("low", "not_covered", {"note": "học bổng"}),
    ("sample", "answer_wrong", {"note": "số liệu cũ"}),
    ("low", "school_violence", {}),
    ("low", "skip", {}),
]


def test_label_every_kind_from_the_queue(
    browser_page: Page, live_server: str, db_path: Path
) -> None:
    page = browser_page
    log_in(page, live_server, then="/staff/review")
    saved: dict[int, tuple[str, dict[str, str]]] = {}
    for section, label, extra in KINDS:
        page.goto(f"{live_server}/staff/review?section={section}")
        row = page.locator(f"#section-{section} tr[data-id]").first
        row_id = int(str(row.get_attribute("data-id")))
        row.get_by_label(f"Nhãn cho tin #{row_id}").select_option(label)
        if "danger" in extra:
            row.get_by_label("Mối nguy").select_option(extra["danger"])
        if "note" in extra:
            row.get_by_label("Ghi chú").fill(extra["note"])
        row.get_by_role("button", name="Lưu").click()
        expect(page.get_by_role("status").filter(has_text="Đã lưu nhãn")).to_contain_text(
            f"#{row_id}"
        )
        expect(page.locator(f"tr[data-id='{row_id}']")).to_have_count(0)  # left the queue
        saved[row_id] = (label, extra)
    for row_id, (label, extra) in saved.items():
        [(stored, danger, note)] = query(
            db_path, "SELECT label, label_danger, label_note FROM requests WHERE id = ?", (row_id,)
        )
        assert (stored, danger, note) == (label, extra.get("danger"), extra.get("note"))
    page.goto(live_server + "/staff/audit")
    audit = page.locator("tr.action-label")
    expect(audit).to_have_count(len(KINDS))
