"""Redaction round 6 (#17, redact4): classes of misses and false alarms found on held-out v5
once it became a dev split, each checked on variants written for this file (not the corpus
messages). Each case fails when its rule breaks."""

from __future__ import annotations

import pytest

from handlers.redact import redact


def _r(text: str) -> str:
    return redact(text).text


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # a pet's name, after an animal (with "con" or its accent)
        ("nhà em có con mèo tên Mướp, bố em đá nó", "Mướp"),
        ("e nuoi con cho ten Ki, ba e dem ban roi", "Ki"),
        ("con gà nhà bà tên là Bông bị trộm mất", "Bông"),
        # an app, a game, a group named after "tên" or played
        ("con cài cái ứng dụng tên Bạn Bốn Phương có người lạ nhắn tin", "Bạn Bốn Phương"),
        ("nó rủ em vào nhóm tên Hội Mèo Lười trên mạng", "Hội Mèo Lười"),
        ("em trai em chơi Tốc Chiến cả đêm không ngủ", "Tốc Chiến"),
        # a folk tale's character, in a story
        ("em đọc truyện Thạch Sanh thấy Lý Thông gian quá", "Lý Thông"),
        ("con xem phim hoạt hình cô Tấm với mẹ ghẻ, con sợ", "Tấm"),
        # a teasing nickname that is an everyday word
        ("tụi lớp đặt biệt danh cho em là Lùn, em buồn", "Lùn"),
        # a word after "tên" that talks about names
        ("e đổi tên khác trên mạng rồi mà nó vẫn tìm ra", "khác"),
        # everyday words after a person cue
        ("đó là tk của thằng lừa đảo", "lừa đảo"),
        ("cô chủ nhiệm thu tiền quỹ lớp mỗi tuần", "thu"),
        ("bác Hùng là bạn bố em, hay qua nhà", "bố"),
        ("CHU TAI KHOAN NGAN HANG LA AI VAY", "CHU TAI"),
        # an English word after a game or platform
        ("em hay vào roblox server Việt, có người lạ kết bạn", "server"),
    ],
)
def test_name_shaped_words_that_name_no_one_stay(text: str, kept: str) -> None:
    assert kept in _r(text)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # a human name after an animal word is a person called one ("con heo" as an insult)
        ("con heo tên Hạnh lớp bên hay quay lén tụi em", "Hạnh"),
        ("con bé tên Bông nhà bên bị đánh", "Bông"),
        ("em hay chơi với Quân lớp bên", "Quân"),
        ("cô Tâm dạy văn hay mắng em", "Tâm"),
        ("biệt danh nó là Bin, nó hay trấn tiền", "Bin"),
        ("cô giáo thu hay phạt em đứng ngoài", "thu"),
        ("trưởng nhóm là Quỳnh, nó hay nói xấu em", "Quỳnh"),
        # a surname that is an everyday word, alone after a kin word
        ("chú Đoàn hàng xóm hay rủ em vào nhà", "Đoàn"),
        ("bà Từ bán nước đầu ngõ hay chửi tụi em", "Từ"),
        # a form's label before the colon
        ("Họ tên học sinh: PHAN THỊ NGỌC TRÂN; Lớp: 7A1; Trường: THCS Lê Lợi", "TRÂN"),
        ("Tên của bé: đỗ minh khôi, 6 tuổi", "khôi"),
        # a name in quotes after "tên"
        ("ông đó tự xưng tên 'Khải' rồi rủ em đi chơi", "Khải"),
    ],
)
def test_names_in_those_shapes_are_still_redacted(text: str, gone: str) -> None:
    assert gone not in _r(text)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("nó đòi em follow ig/ngoc.han.2012 rồi nhắn tin", "ig/ngoc.han.2012"),
        ("tìm tiktok/@be.su.cute nha", "be.su.cute"),
        ("zalo nó để tên 'Chú Ba Bến Tre', em không biết là ai", "Bến Tre"),
        ("zalo của mẹ là ‘Mẹ Mít’ nha", "Mít"),
    ],
)
def test_profiles_written_with_a_slash_or_in_single_quotes_are_redacted(
    text: str, gone: str
) -> None:
    redacted = _r(text)
    assert gone not in redacted and "<MXH>" in redacted
