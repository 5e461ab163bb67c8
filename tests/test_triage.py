"""Safety triage (handlers/triage.py): the development corpus, the lines each danger calls for,
accent-aware readings, and properties over random text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import triage as triage_module
from handlers.normalise import Normalised, normalise
from handlers.triage import LINES_FOR, Danger, Triage, lines_for, triage

CORPUS = yaml.safe_load(
    (Path(__file__).parent.parent / "handlers" / "data" / "triage_dev.yml").read_text(
        encoding="utf-8"
    )
)
URGENT: list[str] = CORPUS["urgent"]
NOT_URGENT: list[str] = CORPUS["not_urgent"]


def check(text: str) -> Triage:
    return triage(normalise(text))


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_large_and_unambiguous() -> None:
    assert len(URGENT) >= 250
    assert len(NOT_URGENT) >= 250
    assert not set(URGENT) & set(NOT_URGENT)


@pytest.mark.parametrize("text", URGENT)
def test_urgent_message_escalates_with_111_first(text: str) -> None:
    result = check(text)
    assert result.urgent, text
    assert result.lines[0] == "111"
    assert result.dangers
    assert len(result.reasons) == len(result.dangers)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_urgent_message_is_not_escalated(text: str) -> None:
    result = check(text)
    assert not result.urgent, (text, result.reasons)
    assert result.lines == ()


# --------------------------------------------------------------------------- lines per danger


@pytest.mark.parametrize(
    ("text", "danger", "lines"),
    [
        ("con tôi đang bị đuối nước", Danger.DROWNING, ("111", "115", "114")),
        ("thằng nhỏ té xuống kênh rồi", Danger.DROWNING, ("111", "115", "114")),
        ("bố em đang đánh em", Danger.VIOLENCE, ("111", "113")),
        ("em muốn tự tử", Danger.SUICIDE, ("111", "115")),
        ("e vừa rạch tay", Danger.SUICIDE, ("111", "115")),
        ("chú hàng xóm sờ vào chỗ kín của em", Danger.SEXUAL_ASSAULT, ("111", "113")),
        ("có người bắt cóc em", Danger.ABDUCTION, ("111", "113")),
        ("con tôi uống nhầm thuốc trừ sâu", Danger.POISONING, ("111", "115")),
        ("em bị điện giật", Danger.INJURY, ("111", "115")),
    ],
)
def test_lines_fit_the_danger(text: str, danger: Danger, lines: tuple[str, ...]) -> None:
    result = check(text)
    assert result.primary is danger, result
    assert result.lines == lines


@pytest.mark.parametrize("text", ["cứu với", "help", "help me", "SOS", "cíu e vs", "🆘", "cứu"])
def test_a_bare_plea_is_an_unspecified_danger_with_111_and_113(text: str) -> None:
    result = check(text)
    assert result.dangers == (Danger.UNSPECIFIED,)
    assert result.lines == ("111", "113")


def test_a_plea_with_a_specific_danger_adds_no_unrelated_kind() -> None:
    result = check("cứu với, con tôi bị đuối nước")
    assert result.dangers == (Danger.DROWNING,)
    assert result.lines == ("111", "115", "114")


def test_several_dangers_come_life_threatening_first() -> None:
    result = check("bố đánh mẹ em ngất xỉu rồi, em định tự tử")
    assert result.dangers[0] is Danger.SUICIDE
    assert {Danger.VIOLENCE, Danger.INJURY} <= set(result.dangers)
    assert result.lines[:2] == ("111", "115")
    assert "113" in result.lines


def test_lines_for_starts_with_111_and_never_repeats() -> None:
    assert lines_for(()) == ("111",)
    every = tuple(Danger)
    lines = lines_for(every)
    assert lines[0] == "111"
    assert len(lines) == len(set(lines))
    assert set(lines) == {"111"} | {line for d in every for line in LINES_FOR[d]}


def test_every_danger_has_its_lines() -> None:
    assert set(LINES_FOR) == set(Danger)


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    ("danger_text", "harmless_text"),
    [
        ("bé hóc hạt nhãn", "bé học hát hay lắm"),
        ("em muốn tự tử", "em muốn từ từ học"),
        ("em muốn tự vẫn", "em muốn tư vấn"),
        ("bé bị bỏng nước sôi", "bé bị bóng đập nhẹ"),
        ("thằng bé rơi xuống hồ", "thằng bé rồi cũng về nhà"),
        ("bố tát em sưng mặt", "bố tắt máy đi ngủ"),
        ("con bị chảy máu nhiều lắm", "con chạy mau về nhà"),
        ("dì nhốt em trong kho", "em bị nhọt ở tay"),
        ("em ngất xỉu rồi", "em ngắt điện rồi"),
        ("có người lạ bám theo em", "bạn là người tốt"),
        ("em mệt lắm rồi, muốn ngủ mãi", "em muốn ngủ, mai thi rồi"),
    ],
)
def test_diacritics_tell_danger_words_from_harmless_ones(
    danger_text: str, harmless_text: str
) -> None:
    assert check(danger_text).urgent, danger_text
    assert not check(harmless_text).urgent, harmless_text


@pytest.mark.parametrize(
    "text",
    [
        "e mun chet",  # teen spelling
        "em muoons cheets",  # Telex with the input method off
        "em muốm chết",  # a slip onto the neighbouring key
        "em muốn tự tửu",  # a letter typed twice
        "con tôi bị đuối nướt",  # southern final consonant
        "em bị điện giặc",
        "cứuuuuu",  # a letter held down
        "CỨU EM VỚI!!!",
    ],
)
def test_spelling_variants_of_danger_phrases_escalate(text: str) -> None:
    assert check(text).urgent


@pytest.mark.parametrize(
    "text",
    ["em muốn học cách diễn đạt", "con có giấy khen", "em chạy mãi mới kịp", "sos kiếm tra"],
)
def test_typo_tolerance_leaves_everyday_phrases_alone(text: str) -> None:
    assert Danger.INJURY not in check(text).dangers
    assert Danger.SUICIDE not in check(text).dangers


@pytest.mark.parametrize(
    ("negated", "affirmed"),
    [
        ("em không bị ai đánh cả", "em bị bố đánh"),
        ("bố em không bao giờ đánh em", "bố em đánh em"),
        ("em chưa bao giờ nghĩ đến chuyện tự tử", "em đang nghĩ đến chuyện tự tử"),
        ("bé không bị ngộ độc", "bé bị ngộ độc"),
    ],
)
def test_negation_is_read_where_it_applies(negated: str, affirmed: str) -> None:
    assert not check(negated).urgent
    assert check(affirmed).urgent


@pytest.mark.parametrize(
    ("general", "real"),
    [
        ("làm sao phòng tránh đuối nước", "con tôi bị đuối nước"),
        ("nếu con bị bắt cóc thì con nên làm gì", "con tôi bị bắt cóc rồi"),
        ("khi trẻ bị điện giật thì sơ cứu thế nào", "em trai em bị điện giật, sơ cứu thế nào"),
        ("tội hiếp dâm trẻ em bị phạt bao nhiêu năm tù", "em bị hiếp dâm"),
        ("nếu bạn em nói muốn tự tử thì em nên nói gì", "nếu mai thi trượt em sẽ tự tử"),
        ("bộ phim có cảnh nhân vật tự tử", "bạn em nói tối nay nó sẽ tự tử"),
        ("hồi nhỏ em bị ngã gãy tay, giờ khỏi rồi", "em bị ngã gãy tay, đau lắm"),
    ],
)
def test_framing_separates_questions_about_danger_from_danger(general: str, real: str) -> None:
    assert not check(general).urgent, general
    assert check(real).urgent, real


def test_a_bot_command_is_no_plea() -> None:
    assert not check("/help").urgent
    assert check("help").urgent


# --------------------------------------------------------------------------- gating


def test_the_word_gate_never_hides_a_match_in_the_corpus() -> None:
    """Each pattern runs only when one of its required words is in the message; those words
    are derived from the parsed regex, and here checked against every corpus message."""
    patterns = [
        pattern
        for table in (triage_module._CRIES, triage_module._SITUATIONS, triage_module._ANCHORED)
        for group in table.values()
        for pattern in group
    ]
    gated = [p for p in patterns if p.required is not None]
    assert len(gated) >= 0.9 * len(patterns)
    for text in URGENT + NOT_URGENT:
        reading = triage_module._read(normalise(text))
        spaced = f" {reading.sense} "
        words = frozenset(spaced.lower().split())
        for pattern in gated:
            if pattern.regex.search(spaced):
                assert pattern.required is not None
                assert not pattern.required.isdisjoint(words), (pattern.regex.pattern, text)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r" muon (?:di |duoc )?chet\b", {"chet"}),
        (r" (?:rach|cua) tay\b", {"rach", "cua"}),  # "tay" is too common to be worth it
        (r" bi (?:\w+ ){0,3}danh\b", {"danh"}),
        (r" \w+ em\b", {"em"}),
        (r" (?:ngo doc|bat coc)", {"ngo", "bat"}),  # the last word may run on ("ngo docx")
        (r" \w+ (?:\w+ )?x", None),
    ],
)
def test_required_words_are_whole_words_a_match_cannot_lack(
    pattern: str, expected: set[str] | None
) -> None:
    required = triage_module.required_words(pattern, frozenset({"muon", "bi", "tay"}))
    assert required == (frozenset(expected) if expected is not None else None)


# --------------------------------------------------------------------------- robustness

DANGER_PHRASES = [
    "em muốn tự tử",
    "e muon tu tu",
    "con tôi đang bị đuối nước",
    "có người bắt cóc em",
    "bố em đang đánh em",
    "con tôi uống nhầm thuốc chuột",
    "cứu em với",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_never_raises_on_any_text(text: str) -> None:
    result = check(text)
    assert isinstance(result, Triage)
    assert not result.urgent or result.lines[0] == "111"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_never_raises_on_binary_garbage(raw: bytes) -> None:
    for text in (raw.decode("utf-8", errors="replace"), raw.decode("latin-1")):
        check(text)


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "So", "Mn")), max_size=300
    )
)
def test_never_raises_on_a_normalised_value_built_by_hand(text: str) -> None:
    triage(Normalised(original=text, folded=text, tokens=tuple(text.split())))
    triage(Normalised(original="", folded=text, tokens=tuple(text.split())))


@pytest.mark.parametrize(
    "text",
    ["", " ", "\x00\x01\x02", "😭" * 2000, "a" * 100_000, "bị " * 30_000, "đánh " * 5000, "|,.!?"],
)
def test_never_raises_on_odd_inputs(text: str) -> None:
    check(text)


_WORDS = (
    "hôm nay em đi học về mẹ nấu cơm trời mưa to bạn bè lớp cô giáo bài tập toán văn "
    "vui buồn nhà sân chơi bóng xe đạp chợ cá rau ăn uống ngủ sớm tối ok nha hehe 😂 "
    "không có gì đâu ạ thôi nhé rồi vì sao thì là mà cũng được nếu khi giả sử"
)
_VIETNAMESE_WORDS = st.sampled_from(sorted(set(_WORDS.split())))
_RANDOM_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(_VIETNAMESE_WORDS, max_size=80).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(_RANDOM_TEXT, _RANDOM_TEXT, st.sampled_from(DANGER_PHRASES))
def test_a_danger_sentence_anywhere_in_random_text_escalates(
    before: str, after: str, phrase: str
) -> None:
    result = check(f"{before}. {phrase}. {after}")
    assert result.urgent, (before, phrase, after)
    assert result.lines[0] == "111"
