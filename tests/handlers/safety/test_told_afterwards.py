"""A school incident told at home afterwards is no alarm (#12): "con đi học về khóc, kể bị bạn
đánh" is over, the child is home; the answer on school violence follows, with 111 in view.
A parent or stepparent hurting the child, or danger on the way home, stays urgent."""

from __future__ import annotations

import pytest

from handlers.safety import assess
from nlu.text import read


@pytest.mark.parametrize(
    "text",
    [
        "con tôi đi học về khóc, nói bị bạn đánh",
        "răng mà con tui đi học về cứ khóc, hỏi thì nó nói bị bạn đánh",
        "thằng cu nhà tui về nhà mếu máo kể bị tụi lớp trên đánh",
        "con gái em về kể bị bạn cùng lớp tát",
    ],
)
def test_told_at_home_afterwards_is_no_alarm(text: str) -> None:
    assert assess(read(text)).level != "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "em đi học về có ông kia đuổi theo em, em chạy vào nhà bạn rồi",
        "bố em đánh em, em đi học về lại bị đánh",
        "em vừa đi học về thì bị bố đánh chảy máu",
        "con về nhà kể bị bố dượng đánh suốt",
    ],
)
def test_danger_now_or_at_home_stays_urgent(text: str) -> None:
    assert assess(read(text)).level == "urgent"
