"""A beating at school told as earlier today or as a complaint, and asked what to do, is the
school-violence answer with 111 in view, not the alarm (#12: "past school incidents raised
it"). Family, "đang", a weapon, a bad injury or a habit keep the alarm."""

from __future__ import annotations

import pytest

from handlers.safety import assess


@pytest.mark.parametrize(
    "text",
    [
        "má ơi con tui bị thằng lớp trên nó đánh bầm mặt hồi chiều nè, giờ tui phải làm sao",
        "tôi muốn khiếu nại giáo viên đánh con tôi",
        "con tôi bị bạn đánh hồi chiều, giờ tôi phải làm sao",
        "sáng nay thầy giáo tát con tôi, tôi muốn khiếu nại",
        "my son was punched by older kids at school today, what should I do now",
    ],
)
def test_it_is_no_alarm(text: str) -> None:
    assert assess(text).level == "none", text


@pytest.mark.parametrize(
    "text",
    [
        "con tôi đang bị bạn đánh ở cổng trường, báo ai bây giờ",
        "chiều nay bố đánh em, giờ em sợ về nhà lắm, em phải làm sao",
        "thằng lớp trên nó đánh con tôi gãy tay hồi chiều",
        "tụi nó ngày nào cũng đánh em ở trường",
        "bọn nó đang đánh em sau trường cứu em",
        "sáng nay bạn cầm dao đánh con tôi ở trường, giờ phải làm sao",
    ],
)
def test_these_stay_urgent(text: str) -> None:
    assert assess(text).urgent, text
