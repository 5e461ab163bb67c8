"""A stranger met online asking a child for pictures is grooming (#12): 111 first, the
grooming advice, whether the child or a parent writes; a classmate asking for a photo of the
homework is nothing. A swallowed coin is a foreign body (the choking advice, 115 when it
chokes), never a poisoning."""

from __future__ import annotations

import pytest

from handlers.safety import Danger, assess


@pytest.mark.parametrize(
    "text",
    [
        "có người lạ trên facebook nhắn tin xin ảnh con gái tôi",
        "con gai toi 12t co nguoi la tren fb nhan tin xin anh, lam sao bay gio",
        "một ông trên zalo cứ đòi hình con bé nhà tôi",
        "a man on tiktok keeps asking my daughter for pictures",
    ],
)
def test_a_stranger_online_asking_a_child_for_pictures_is_grooming(text: str) -> None:
    found = assess(text, use_model=False)
    assert found.urgent and found.primary is Danger.GROOMING, found
    assert found.lines[0] == "111"


@pytest.mark.parametrize(
    "text",
    [
        "lớp trưởng nhắn tin xin ảnh chụp bài tập",
        "bạn trên fb xin ảnh để làm avatar",
        "em xin ảnh thẻ của con để làm hồ sơ",
    ],
)
def test_asking_for_a_picture_alone_is_no_alarm(text: str) -> None:
    assert not assess(text).urgent, text


@pytest.mark.parametrize(
    ("text", "level", "danger"),
    [
        ("bé nhà mình 3 tuổi nuốt phải đồng xu", "not urgent", None),  # no rule: advice or a check
        ("bé nuốt phải đồng xu, giờ ho sặc sụa khó thở", "urgent", Danger.SERIOUS_INJURY),
        ("con tôi nuốt phải thuốc chuột", "urgent", Danger.POISONING),
    ],
)
def test_a_swallowed_coin_is_no_poisoning(text: str, level: str, danger: Danger | None) -> None:
    found = assess(text)
    if level == "not urgent":
        assert not found.urgent, found
        assert assess(text, use_model=False).level == "none"
        return
    assert found.level == level, found
    assert found.primary is danger, found
