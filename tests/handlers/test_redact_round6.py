"""Redaction round 6 (#17, redact4): classes of misses and false alarms found on held-out v5
once it became a dev split, each checked on variants written for this file (not the corpus
messages). Each case fails when its rule breaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from handlers.redact import Span, redact
from handlers.redact_eval import CorpusMessage, EvalReport, evaluate, load_corpus


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


def _scored(
    text: str, pii: list[tuple[str, str]], keep: list[str], spans: list[Span]
) -> EvalReport:
    message = CorpusMessage(text, tuple(pii), tuple(keep))
    return evaluate([message], finder=lambda _: spans)


def test_a_district_next_to_an_address_may_go_with_it_but_nowhere_else() -> None:
    text = "nhà em ở số 9 ngõ 120 Khương Trung, quận Đống Đa, còn quận 7 thì xa"
    address = text.index("số 9")
    district = text.index("quận Đống Đa")
    other = text.index("quận 7")
    pii = [("ĐỊA_CHỈ", "số 9 ngõ 120 Khương Trung")]
    keep = ["quận Đống Đa", "quận 7"]
    with_address = Span(address, district + len("quận Đống Đa"), "ĐỊA_CHỈ")
    report = _scored(text, pii, keep, [with_address])
    assert report.protected_redacted == []
    assert [v for v, _ in report.districts_with_address] == ["quận Đống Đa"]
    # the district redacted on its own, or a district elsewhere: a protected string lost
    alone = Span(district, district + len("quận Đống Đa"), "ĐỊA_CHỈ")
    assert [v for v, _ in _scored(text, pii, keep, [alone]).protected_redacted] == ["quận Đống Đa"]
    far = Span(other, other + len("quận 7"), "ĐỊA_CHỈ")
    assert [v for v, _ in _scored(text, pii, keep, [with_address, far]).protected_redacted] == [
        "quận 7"
    ]


def test_a_date_of_birth_and_a_day_nursery_are_scored_on_their_datum(tmp_path: Path) -> None:
    corpus = tmp_path / "c.yml"
    corpus.write_text(
        """
messages:
  - text: "con sinh ngày 7 tháng 7 năm 2017, học nhóm trẻ Hoa Mai"
    pii: [["NGÀY_SINH", "ngày 7 tháng 7 năm 2017"], ["TRƯỜNG", "nhóm trẻ Hoa Mai"]]
""",
        encoding="utf-8",
    )
    messages = load_corpus(corpus)
    assert messages[0].pii == (("NGÀY_SINH", "7 tháng 7 năm 2017"), ("TRƯỜNG", "Hoa Mai"))


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # a phone typed one digit at a time with "O", "S", "B" among the digits
        ("số chị e: 0 9 7 . 2 O 6 . S 4 8 1 nha", "2 O 6 . S 4 8 1"),
        ("goi e 0 3 B 5 1 2 4 S 6 7 voi", "B 5 1 2 4 S"),
        # a ward and district written as abbreviations after the street, no comma
        ("con ở 27/3 Nguyễn Đình Chiểu P.4 Q.3 với bà ngoại", "P.4 Q.3"),
        ("nhà bác ở xóm 2, x. Nghi Phong, h. Nghi Lộc, bác hay đánh con", "Nghi Phong"),
        ("ông ở khu 4, TT. Hùng Sơn, hay say rượu", "Hùng Sơn"),
        ("dia chi: so 5 ngo 20 tay son, p trung liet, ba e hay danh e", "trung liet"),
        ("nhà nó ở kiệt 5 lê lợi, phường hòa khánh 2, bố nó đánh nó", "khánh 2"),
        ("em ở số 3 ngõ 7 Xã Đàn, Ô Chợ Dừa, bố hay đánh em", "Chợ Dừa"),
        # a date of birth with letters for digits, or its year in words
        ("ngày sinh của con: 2O/l1/2O13", "2O/l1/2O13"),
        ("cháu sinh ngày hai mươi tháng mười năm hai nghìn mười một", "hai nghìn mười một"),
        # a day nursery's name; a school's name in sentence case
        ("bé nhà tôi bị đánh ở nhóm trẻ Họa Mi đầu ngõ", "Họa Mi"),
        ("con học trường Tiểu học Thực hành Sư phạm", "Thực hành Sư phạm"),
    ],
)
def test_round6_forms_are_redacted(text: str, gone: str) -> None:
    assert gone not in _r(text)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # an office's landline and a company's tax code belong to no person
        ("Số điện thoại của UBND phường là 024 3765 4321 phải không", "024 3765 4321"),
        ("mã số thuế 0109876543 của công ty môi giới việc làm này có thật không", "0109876543"),
        # English prose around a bare "at" and a full stop
        ("he waits for me out at night. email is my only way", "out at night"),
        # a street opening a sentence, as where something happens; a street named Trường …
        ("Phố Hàng Bài đang đào đường nên xe không qua được", "Hàng Bài"),
        # after a date of birth, "ngày" in words stays readable
        ("em sinh ngày 5 tháng 9 năm 2014", "sinh ngày"),
    ],
)
def test_round6_ordinary_numbers_and_words_stay(text: str, kept: str) -> None:
    assert kept in _r(text)


@pytest.mark.parametrize(
    "text",
    [
        "sđt nhà em 024 3765 4321",  # a home's landline is personal
        "mã số thuế cá nhân của mẹ em là 8012345678",  # a person's tax code too
        "mail em: lan at gmail dot com",  # a spelled email
    ],
)
def test_personal_numbers_in_those_shapes_are_still_redacted(text: str) -> None:
    assert any(ch.isdigit() for ch in text) or "at" in text
    redacted = _r(text)
    assert redacted != text and "<" in redacted


def test_a_street_named_truong_is_no_school() -> None:
    redacted = _r("hôm qua trên đường Trường Chinh có vụ đánh nhau")
    assert "<TRƯỜNG>" not in redacted and "Trường Chinh" in redacted


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # a verb-like given name with its second syllable, then a name's context
        ("thằng bảo long lớp 8 hay trấn tiền em", "bảo long"),
        ("thằng tuấn năm nay 15 tuổi mà hay đánh em", "tuấn"),
        # a parent named with a known given name, on a note's last line
        ("Cô ơi con bị ốm, hôm nay xin nghỉ. Mẹ Hân: 0987 654 321", "Hân"),
        # English: a possessive before the relation, "X's name is"
        ("my cousin's best friend Minh Chau got a message from a stranger", "Minh Chau"),
        ("The girl's name is Lily Tran and she is 11", "Lily Tran"),
        # a form's field with a long label, in capitals, whatever its syllables
        ("HỌ TÊN ĐỐI TƯỢNG NGHI VẤN: LÝ VĂN KHẢM. NƠI Ở: THÔN 3", "KHẢM"),
        # a surname that is also a title word, with a middle name after it
        ("con gửi ở nhà bà Phó Thị Lài gần chợ", "Lài"),
        # a Central Highlands commune with an apostrophe, a Khmer hamlet
        ("nhà nó ở buôn Trấp, xã Ea M'droh, cha nó đánh nó", "M'droh"),
        ("ông ở phum Ta Ốc, xã Tân Hiệp, hay đánh con", "Ta Ốc"),
        # a nursery or school whose name ends in a number
        ("bé học mầm non Hoa Sen 3, cô giáo nhốt bé trong phòng", "Hoa Sen 3"),
    ],
)
def test_round6_dev6_classes_are_redacted(text: str, gone: str) -> None:
    assert gone not in _r(text)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("con nhớ là Thông tư 26 nói về việc này", "Thông tư 26"),
        ("cho hỏi số của UBND phường Phú Diễn với ạ", "Phú Diễn"),
        ("CK 1.200.000D CHO STK 0451000328176 NHA", "1.200.000D"),
        ("cô Phó hiệu trưởng hay mắng em", "Phó"),
        ("Mẹ Thiên Nhiên ban cho mình mọi thứ", "Thiên Nhiên"),
        ("con bé tặng hoa cho cô nhân ngày nhà giáo", "nhân"),
    ],
)
def test_round6_dev6_ordinary_words_stay(text: str, kept: str) -> None:
    assert kept in _r(text)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("bạn N.T.H lớp em hay đánh em", "N.T.H"),
        ("thằng T.A lớp 9 hay trấn tiền", "T.A"),
        ("cô giáo H. dạy toán hay mắng em", "H."),
    ],
)
def test_a_person_named_by_initials_alone_after_a_person_word(text: str, gone: str) -> None:
    assert gone not in _r(text)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("em học lớp 6A. Cô giáo rất tốt", "6A. Cô"),
        ("em xem kênh youtube VTV24 thấy tin bắt cóc", "VTV24"),
        ("nhóm zalo Phụ huynh lớp 5A có người lạ vào", "Phụ huynh"),
        ("em hay xem kênh tiktok Bé Bông Review", "Bé Bông Review"),
    ],
)
def test_letters_broadcasters_and_public_groups_stay(text: str, kept: str) -> None:
    assert kept in _r(text)


def test_a_childs_own_channel_is_still_a_profile() -> None:
    redacted = _r("kênh tiktok của em tên là Bé Bông Review, có người lạ nhắn tin")
    assert "Bông" not in redacted


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("tụi con leo núi Bạch Mã với lớp", "Bạch Mã"),
        ("trong minecraft con zombie nó giết em hoài", "zombie"),
        ("hồi nhỏ ba tui hay đánh tui bằng roi", "ba tui"),
        ("mấy chú cảnh sát tới nhà hỏi chuyện", "cảnh"),
        ("bé tâm sự với em là bé sợ về nhà", "tâm sự"),
        ("vụ ngộ độc ở trường mầm non tuần trước", "tuần trước"),
        ("ông mất rồi mà em cứ nhớ ông hoài, buồn lắm", "hoài"),
    ],
)
def test_everyday_words_after_person_words_stay(text: str, kept: str) -> None:
    assert kept in _r(text)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("con nhỏ hai lớp bên hay đánh em", "hai"),
        ("thằng hoài lớp 9 hay chặn đường em", "hoài"),
        ("mình là hoài, 14 tuổi", "hoài"),
    ],
)
def test_those_words_are_still_names_where_a_name_is(text: str, gone: str) -> None:
    words = _r(text).replace(",", " ").split()
    assert "<TÊN>" in words and gone not in words


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        # a class after a lowercase given name makes it a person's, even after "con"/"anh"
        ("e bị con trang lớp 8 đánh hoài", "trang"),
        ("t vs con my lp 6a2 bi tui no chan duong", "my"),
        ("em bị anh hùng lớp 12 trêu chọc", "hùng"),
        # announced by "tên là", whatever else the word spells unaccented
        ("e ten la phuong, nha e o xa", "phuong"),
        ("em ten la dang minh, 15 tuoi", "dang minh"),
        # Northern "cái" before a girl's name
        ("cái Lụa nhà bên bị bắt nghỉ học", "Lụa"),
    ],
)
def test_round6_lowercase_names_with_a_class_or_an_announcement(text: str, gone: str) -> None:
    words = _r(text).replace(",", " ").split()
    assert "<TÊN>" in words and all(w not in words for w in gone.split())


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("anh hùng dân tộc là ai vậy", "anh hùng"),
        ("tên đăng nhập của em bị lộ", "đăng nhập"),
        ("cái Tết năm nay buồn quá", "Tết"),
        ("con mai đi học sớm", "mai"),
    ],
)
def test_round6_those_words_stay_without_the_context(text: str, kept: str) -> None:
    assert kept in _r(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        # a name found once is redacted wherever it is written again, the same way
        ("bạn thân em tên khuê, khuê bị mẹ kế đánh", 2),
        ("em có bạn tên là Diệp, hôm qua Diệp khóc cả buổi", 2),
        ("thằng tuấn lớp 7 hay đánh em, tuấn còn chửi em", 2),
        # a name that is an everyday word is read again only where a capital says so
        ("em tên Mai, mai em phải đi học", 1),
        # nor inside a longer name ("chị Sáu" named, "Võ Thị Sáu" is another)
        ("con học về Võ Thị Sáu, con hỏi chị Sáu mấy tuổi", 1),
    ],
)
def test_a_name_written_again_is_redacted_again(text: str, count: int) -> None:
    assert _r(text).count("<TÊN>") == count


def test_a_class_code_after_a_lowercase_name_makes_it_one() -> None:
    assert "trinh" not in _r("ê mày biết con ngọc trinh 9a4 ko, nó bị đánh")
    assert "mai" in _r("con mai 7h đi học")


@pytest.mark.parametrize(
    "text",
    [
        "nhà em ở khom vinh thuan",  # a hamlet named like a district, its keyword unaccented
        "nhà em ở thon dong hoa, bố hay đánh em",
    ],
)
def test_a_hamlet_named_like_a_district_is_redacted_with_its_keyword(text: str) -> None:
    redacted = _r(text)
    assert "<ĐỊA_CHỈ>" in redacted and "vinh" not in redacted and "dong hoa" not in redacted


def test_accents_keep_a_woman_apart_from_the_ward_she_is_spelled_like() -> None:
    assert "Nhạn" not in _r("Mình là Thanh Nhạn, mẹ bé Su")
    assert "Thanh Nhàn" in _r("em nằm viện Thanh Nhàn mấy hôm")
