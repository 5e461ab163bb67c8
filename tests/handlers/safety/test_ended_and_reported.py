"""An episode that has ended, news told by its source, a request for a hand, and the
thresholds' budget (#12, round 5). Messages written for these tests, in no corpus."""

from __future__ import annotations

import pytest

from handlers.safety import Danger, assess, cv

ENDED_OR_REPORTED = [
    # past, and the child rescued or recovered: a story that has ended
    "năm ngoái em bị ngã xe gãy tay chảy máu nhiều, giờ khỏi rồi",
    "hồi hè thằng bé bị điện giật bất tỉnh, được cấp cứu kịp, giờ khỏe lại rồi",
    "tháng trước con bé bị bắt cóc, công an giải cứu được rồi, giờ cháu đã về nhà",
    "hồi tháng 3 bé nhà mình uống nhầm thuốc hạ sốt của anh, đưa vào viện rửa ruột, giờ đã "
    "xuất viện",
    # news, told by its source ("thấy báo nói", "báo đăng": "đăng" is not "đang")
    "thấy báo nói ở tỉnh bên có bé bị bắt cóc, mình lo quá",
    "báo đăng tin một cô giáo bị bắt vì bạo hành trẻ ở nơi khác",
    "em đăng ký học bơi mà sợ chết đuối quá",
]


@pytest.mark.parametrize("text", ENDED_OR_REPORTED)
def test_an_ended_episode_or_the_news_is_no_alarm(text: str) -> None:
    assert not assess(text).urgent, text


@pytest.mark.parametrize(
    ("text", "danger"),
    [
        # the counterparts: it happens again now; a witness now; in the water now
        (
            "năm ngoái con bị đuối nước một lần, được cứu, giờ nó lại đang chới với giữa sông",
            Danger.DROWNING,
        ),
        ("em vừa thấy một đứa bé bị kéo lên xe lạ ngoài cổng trường", Danger.ABDUCTION_MISSING),
        ("con bé sa xuống ao rồi, chưa thấy ngoi lên", Danger.DROWNING),
        ("thằng bé lọt xuống giếng rồi, gọi mãi không thưa", Danger.DROWNING),
    ],
)
def test_the_same_danger_now_still_escalates(text: str, danger: Danger) -> None:
    found = assess(text)
    assert found.urgent and found.primary is danger, (text, found)


def test_a_request_for_a_hand_is_not_a_plea_for_the_rules() -> None:
    assert assess("cô góp ý giúp em với, em mới viết xong", use_model=False).level == "none"
    assert assess("cứu em với, em sợ quá", use_model=False).urgent


def test_the_budget_is_the_models_own_false_alarms() -> None:
    """When the rules alone spend the budget, the combined rate can never meet it; the
    threshold is still the model's own (not the grid's top, which would switch it off)."""
    points = [
        cv.CurvePoint(0.8, 0.8, 0.03, 0.95, 0.05),
        cv.CurvePoint(0.85, 0.7, 0.02, 0.94, 0.04),
        cv.CurvePoint(0.9, 0.6, 0.01, 0.93, 0.03),
    ]
    assert cv.choose_threshold(points, 0.02) == 0.85
    assert cv.choose_threshold(points, 0.001) == max(cv.THRESHOLDS)
