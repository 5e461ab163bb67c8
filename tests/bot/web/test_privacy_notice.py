"""The privacy notice people can read (#17): one text in content/ (cmd.privacy, the privacy
line of cmd.start, privacy.short), filled with the deployment's own terms, shown by the core
to every channel (/baomat, /start on Telegram, the Zalo welcome) and by the web chat (a line
under the chat and the "Quyền riêng tư" page)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.settings import Settings
from bot.wiring import build_assistant
from handlers.models import IncomingMessage
from handlers.pipeline import Assistant
from tests.servers import serve

ROOT = Path(__file__).resolve().parents[3]
MODEL_CACHE = ROOT / ".cache" / "nlu-tests"
SECRET = "test-secret-0123456789abcdef-0123456789"
CENTRE = "Trung tâm Công tác xã hội tỉnh Thử Nghiệm"


def settings_for(tmp: Path, **env: object) -> Settings:
    return Settings(
        _env_file=None,
        CHILDSAFE_DB=tmp / "n.db",
        CHILDSAFE_SECRET=SECRET,
        CHILDSAFE_MODEL_DIR=MODEL_CACHE,
        CHILDSAFE_RETENTION_DAYS=45,
        CHILDSAFE_HANDOFF_CENTRE=CENTRE,
        **env,
    )


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    built = build_assistant(settings_for(tmp_path_factory.mktemp("notice")), with_logging=False)
    yield built
    built.close()


def command(assistant: Assistant, name: str) -> str:
    return assistant.command(name, IncomingMessage("", user="u1", channel="zalo")).text


def test_the_notice_says_what_how_long_who_how_to_erase_and_what_never(
    assistant: Assistant,
) -> None:
    text = command(assistant, "privacy")
    assert "Mình lưu gì" in text and "xóa thông tin cá nhân" in text  # what is kept
    assert "45 ngày" in text  # how long: CHILDSAFE_RETENTION_DAYS
    assert f"cán bộ của {CENTRE}" in text  # who reads it
    assert "/xoa" in text  # how to erase
    assert "không bao giờ lưu" in text and "số điện thoại" in text  # what is never kept
    assert "mã tài khoản Telegram hay Zalo" in text
    assert "111" in text


def test_the_law_is_named_only_as_far_as_the_reference_sheet_verifies_it(
    assistant: Assistant,
) -> None:
    text = command(assistant, "privacy")
    assert "Luật Bảo vệ dữ liệu cá nhân" in text
    # in force 1/1/2026 and the child article are [S] in legal-facts A3: said as reported
    assert "theo thông tin báo chí, luật có hiệu lực từ 1/1/2026" in text
    assert "91/2025" not in text  # the number stays out (tests/content/test_content_base.py)


def test_the_notice_offers_the_erase_button(assistant: Assistant) -> None:
    reply = assistant.command("privacy", IncomingMessage("", user="u1", channel="web"))
    assert "@cmd:erase" in [b.payload for b in reply.buttons]


def test_start_carries_the_short_notice(assistant: Assistant) -> None:
    text = command(assistant, "start")  # Telegram /start and the Zalo welcome show this
    assert "Quyền riêng tư" in text and "45 ngày" in text and CENTRE in text
    assert "/xoa" in text and "/baomat" in text


def test_without_an_automatic_purge_the_notice_promises_none(tmp_path: Path) -> None:
    built = build_assistant(
        settings_for(tmp_path, CHILDSAFE_PURGE_INTERVAL_HOURS=0), with_logging=False
    )
    try:
        text = command(built, "privacy")
    finally:
        built.close()
    assert "tự động bị xóa" not in text and "cho đến khi bạn xóa" in text


def visible(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_web_chat_shows_a_line_and_the_privacy_page(
    assistant: Assistant, tmp_path: Path
) -> None:
    with serve(create_app(settings_for(tmp_path), assistant)) as url:
        chat = httpx.get(f"{url}/", timeout=30).text
        embed = httpx.get(f"{url}/embed", timeout=30).text
        page = httpx.get(f"{url}/quyen-rieng-tu", timeout=30)
    for html_page in (chat, embed):
        line = re.search(r'<p class="toolbar__note" id="privacy-note">(.*?)</p>', html_page, re.S)
        assert line, "no privacy line under the chat"
        shown = visible(line.group(1))
        assert "45 ngày" in shown and CENTRE in shown and "Quyền riêng tư" in shown
        assert 'href="/quyen-rieng-tu"' in line.group(1)
        assert "Ẩn danh" not in shown  # it is not anonymous: it is kept and read
    assert page.status_code == 200
    text = visible(page.text)
    assert "Quyền riêng tư" in text and "45 ngày" in text and CENTRE in text
    assert "<b>Mình lưu gì:</b>" in page.text and "<li>" in page.text
    assert "**" not in page.text and "{" not in text
