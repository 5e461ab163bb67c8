"""Commands typed as words on Zalo: the whole message, any case, with or without diacritics."""

from __future__ import annotations

import pytest

from handlers.commands import KEYWORDS, command_for, keyword_key
from handlers.safety import assess
from nlu.text import read

SAME_MEANING_AS_TELEGRAM = {
    "erase": ["xoa", "xóa", "Xoá", "XÓA", "/xoa", "/Xóa", "  xoa. ", "xóa!", "Xóa dữ liệu"],
    "emergency": ["khan cap", "khẩn cấp", "KHẨN CẤP!", "/khancap", "khancap", "Số khẩn cấp"],
    "privacy": ["bao mat", "bảo mật", "/baomat", "Bảo mật?", "quyền riêng tư"],
    "role": ["vai tro", "vai trò", "/vaitro", "Đổi vai trò"],
    "start": ["bat dau", "bắt đầu", "/start", "Bắt đầu!"],
    "help": ["tro giup", "trợ giúp", "TRỢ GIÚP", "/help", "menu", "Menu", "hướng dẫn"],
}


@pytest.mark.parametrize(
    ("text", "command"),
    [(text, command) for command, texts in SAME_MEANING_AS_TELEGRAM.items() for text in texts],
)
def test_keywords_name_the_core_commands(text: str, command: str) -> None:
    assert command_for(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "xóa ảnh đi",
        "làm sao để xóa bài đăng",
        "bảo mật thông tin của con thế nào",
        "em muốn đổi vai trò vì em là giáo viên",
        "khẩn cấp quá bố đánh em",
        "",
        "   ",
        "😀",
        "/",
        "x" * 100,
        "xoa " * 20,
    ],
)
def test_anything_longer_or_different_is_for_the_core(text: str) -> None:
    assert command_for(text) is None


def test_keys_fold_case_marks_slash_and_punctuation() -> None:
    assert keyword_key("  /Xóa Dữ  Liệu!! ") == "xoa du lieu"
    assert keyword_key("KHẨN CẤP…") == "khan cap"


@pytest.mark.parametrize("phrase", sorted(KEYWORDS))
def test_a_plea_is_never_taken_for_a_menu(phrase: str) -> None:
    """If the safety triage reads the bare word as a cry for help, the core answers it
    (urgent), except "khẩn cấp", whose command is the emergency numbers themselves, and a
    request for a counsellor, whose answer is a person (#15)."""
    urgent = assess(read(phrase)).level != "none"
    kept = KEYWORDS[phrase] in ("emergency", "handoff")
    expected = None if urgent and not kept else KEYWORDS[phrase]
    assert command_for(phrase) == expected
    assert command_for("/" + phrase) == KEYWORDS[phrase]  # typed as a command, always one
