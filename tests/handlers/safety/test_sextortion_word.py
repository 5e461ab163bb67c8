"""The word "sextortion" is a case when someone is in it, not when a parent asks how to talk
about it (#12): a question about the danger is answered, a victim gets 111."""

from __future__ import annotations

import pytest

from handlers.safety import Danger, assess
from nlu.text import read


@pytest.mark.parametrize(
    "text",
    [
        "how do i talk to my teen about sextortion",
        "what is sextortion",
        "làm sao dạy con phòng tránh sextortion",
    ],
)
def test_a_question_about_sextortion_is_no_alarm(text: str) -> None:
    assert assess(read(text)).level != "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "i think im being sextorted",
        "someone is sextorting me pls help",
        "this guy is sextorting my son",
        "em bị sextortion rồi",
    ],
)
def test_someone_sextorted_is_urgent_with_111_first(text: str) -> None:
    assessment = assess(read(text))
    assert assessment.level == "urgent"
    assert Danger.SEXTORTION in assessment.dangers and assessment.lines[0] == "111"
