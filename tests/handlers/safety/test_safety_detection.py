"""Safety detection, second generation (#12): the data files, adding a phrase, each new
situation, each kind of hard negative, the honest middle ("check"), the lines table, the
training corpus's shape and the thresholds chosen by cross-validation.

The examples here are written for these tests; none is in the training corpus (checked)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from handlers.safety import LINES, Assessment, Danger, assess, lines_for
from handlers.safety import engine as engine_module
from handlers.safety import model as model_module
from handlers.safety import patterns as patterns_module
from handlers.safety import reading as reading_module
from handlers.safety import rules as rules_module
from handlers.safety.dangers import PRIORITY, most_pressing_first
from handlers.safety.reading import read_for_safety

TRAIN = model_module.load_examples()
TRAINED = {read_for_safety(e.text).sense for e in TRAIN}


def level(text: str) -> str:
    return assess(text).level


# ----------------------------------------------------------------------------- the data


def test_every_danger_has_a_data_file_that_loads() -> None:
    files = patterns_module.danger_files()
    assert set(files) == set(Danger)
    for danger, file in files.items():
        assert file.path.name == f"{danger.value}.yml"
        assert file.kinds or file.signs or file.cues, danger
    compiled = rules_module.compiled()
    assert len(compiled.order) > 300  # every pattern compiled, with its word gate


def test_a_bad_pattern_is_refused_with_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _copy_data(tmp_path)
    with (data / "patterns" / "fire.yml").open("a", encoding="utf-8") as fh:
        fh.write("  - '\\b(?:unclosed'\n")
    monkeypatch.setattr(patterns_module, "PATTERN_DIR", data / "patterns")
    patterns_module.danger_files.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"fire\.yml"):
            patterns_module.danger_files()
    finally:
        patterns_module.danger_files.cache_clear()


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(patterns_module.DATA_DIR, target)
    return target


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    def clear() -> None:
        patterns_module.danger_files.cache_clear()
        patterns_module.gate_parts.cache_clear()
        rules_module.compiled.cache_clear()
        reading_module.tables.cache_clear()

    clear()
    yield
    clear()


def test_adding_a_phrase_is_one_line_in_one_data_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    phrase = "em ngửi thấy mùi khét lẹt khắp hành lang"
    assert not assess(phrase, use_model=False).urgent
    data = _copy_data(tmp_path)
    path = data / "patterns" / "fire.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("situations:\n", "situations:\n  - '\\bmui khet let\\b'\n", 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(patterns_module, "PATTERN_DIR", data / "patterns")
    patterns_module.danger_files.cache_clear()
    rules_module.compiled.cache_clear()
    result = assess(phrase, use_model=False)
    assert result.urgent and result.primary is Danger.FIRE
    assert result.lines[0] == "114"


def test_training_corpus_has_the_contract_shape_and_every_kind_of_hard_negative() -> None:
    files = model_module.data_files()
    assert model_module.DATA_FILE in files and len(files) >= 2  # train.yml, train_more.yml
    raw = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in files]
    assert all(isinstance(entries, list) for entries in raw)
    for entry in [entry for entries in raw for entry in entries]:
        assert set(entry) <= {"text", "urgent", "danger", "kind"}, entry
        if entry.get("danger"):
            Danger(entry["danger"])
    kinds = {e.kind for e in TRAIN if not e.urgent and e.kind}
    assert {
        "past",
        "general",
        "prevention",
        "hypothetical",
        "news",
        "fiction",
        "idiom",
        "bereavement",
        "collision",
        "help_question",
    } <= kinds
    assert {e.danger for e in TRAIN if e.urgent} == {d.value for d in Danger}


# ----------------------------------------------------------------------------- lines


def test_the_first_line_fits_the_danger_and_111_is_always_there() -> None:
    first = {
        Danger.FIRE: "114",
        Danger.DROWNING: "115",
        Danger.SERIOUS_INJURY: "115",
        Danger.POISONING: "115",
        Danger.SUICIDE_ATTEMPT: "115",
        Danger.VIOLENCE: "113",
        Danger.ABDUCTION_MISSING: "113",
        Danger.ABUSE: "111",
        Danger.SEXUAL_ASSAULT: "111",
        Danger.SEXTORTION: "111",
        Danger.GROOMING: "111",
        Danger.SUICIDE_SELF_HARM: "111",
        Danger.NEGLECT: "111",
        Danger.RUNAWAY: "111",
        Danger.UNSPECIFIED: "111",
    }
    for danger, line in first.items():
        assert LINES[danger][0] == line, danger
        assert lines_for((danger,))[0] == line
        assert "111" in lines_for((danger,))
    assert set(PRIORITY) == set(Danger)
    assert most_pressing_first({Danger.ABUSE, Danger.FIRE}) == (Danger.FIRE, Danger.ABUSE)


# ----------------------------------------------------------------------------- situations

SITUATIONS: list[tuple[str, Danger]] = [
    # a shout with a plea still names the fire: 114 first, not a bare plea's 111
    ("nhà em bị cháy cứu em với", Danger.FIRE),
    ("chay roi chay roi moi nguoi oi", Danger.FIRE),
    # online grooming
    (
        "một anh quen trên game liên quân hẹn em tối nay ra ngoài gặp, dặn đừng kể bố mẹ",
        Danger.GROOMING,
    ),
    ("chú đó chơi minecraft với em, bảo sẽ nạp thẻ cho em nếu em bật cam", Danger.GROOMING),
    (
        "a man from tiktok told me not to tell my parents and wants to meet me tomorrow",
        Danger.GROOMING,
    ),
    # sextortion with a threat or a deadline
    (
        "người đó dọa gửi ảnh nóng của em cho cả lớp nếu tối nay em không chuyển tiền",
        Danger.SEXTORTION,
    ),
    ("he is threatening to leak my private photos unless i pay", Danger.SEXTORTION),
    # indirect suicidal ideation and farewells (teen code, emoji, mixed English)
    ("e mệt lắm r, chắc e nên biến mất khỏi cuộc đời này", Danger.SUICIDE_SELF_HARM),
    ("bye mn nha, tạm biệt mãi mãi 🥀", Danger.SUICIDE_SELF_HARM),
    ("honestly i just wanna kms", Danger.SUICIDE_SELF_HARM),
    ("i want to die so bad", Danger.SUICIDE_SELF_HARM),
    # an attempt in progress
    ("em đang ngồi trên lan can cầu, em sắp nhảy rồi", Danger.SUICIDE_ATTEMPT),
    ("i took a whole bottle of sleeping pills", Danger.SUICIDE_ATTEMPT),
    ("mình vừa uống cả vỉ thuốc an thần rồi", Danger.SUICIDE_ATTEMPT),
    # locked in / alone without food
    ("em bị bố nhốt trong nhà kho từ tối qua, chưa được ăn gì", Danger.NEGLECT),
    ("bố mẹ đi từ hôm kia chưa về, nhà không còn gì ăn, em đói lắm", Danger.NEGLECT),
    # running away tonight
    ("đêm nay em sẽ trốn nhà đi, không chịu được nữa", Danger.RUNAWAY),
    ("i'm going to run away tonight", Danger.RUNAWAY),
    # common English crisis phrases
    ("kms", Danger.SUICIDE_SELF_HARM),
    ("my dad is hitting me right now", Danger.VIOLENCE),
    ("someone is following me", Danger.ABDUCTION_MISSING),
    ("I took pills", Danger.SUICIDE_ATTEMPT),
    ("my house is on fire and my sister is inside", Danger.FIRE),
    ("my brother is not breathing", Danger.SERIOUS_INJURY),
    # abuse going on at home, told now (111 first), and an attack now (113 first)
    ("ngày nào mẹ kế cũng đánh em", Danger.ABUSE),
    ("bố em đang đánh em, cứu em", Danger.VIOLENCE),
]


@pytest.mark.parametrize(("text", "danger"), SITUATIONS)
def test_a_situation_is_recognised_with_the_line_that_fits(text: str, danger: Danger) -> None:
    assert read_for_safety(text).sense not in TRAINED, "a test example must not be trained on"
    result = assess(text)
    assert result.urgent, (text, result)
    assert result.primary is danger, (text, result)
    assert result.lines[0] == LINES[danger][0]
    assert "111" in result.lines


# ----------------------------------------------------------------------------- hard negatives

HARD_NEGATIVES: list[tuple[str, str]] = [
    ("nồi cơm cháy rồi mẹ ơi", "collision"),
    ("tuần trước con bị bạn xô ngã ở sân trường, giờ hết đau rồi, cô đã xử lý", "past"),
    ("năm ngoái em bị bạn đánh nhưng giờ tụi em làm hòa rồi", "past"),
    ("trẻ bị dụ dỗ qua mạng thì phụ huynh nên báo cơ quan nào", "general"),
    ("what should parents know about sextortion", "general"),
    ("làm sao để con không bị người lạ trên mạng lừa gửi ảnh", "prevention"),
    ("nếu bạn em nói muốn bỏ nhà đi thì em nên khuyên thế nào", "hypothetical"),
    ("báo hôm nay đưa tin một em bé bị bỏ đói ở tỉnh khác", "news"),
    ("trong truyện tranh em đọc có nhân vật bị nhốt trong lâu đài", "fiction"),
    ("nóng quá chết mất thôi", "idiom"),
    ("ngồi giết thời gian chờ mẹ đón", "idiom"),
    ("that exam killed me lol", "idiom"),
    ("bố mẹ cháu mất sớm, cháu ở với bà, xin hỏi chế độ trợ cấp", "bereavement"),
    ("em cần tư vấn hướng nghiệp", "collision"),
    ("help, where do I find the school rules?", "help_question"),
    ("bố mẹ nên nói gì khi con nói muốn bỏ nhà đi", "general"),
    ("năm ngoái em từng nghĩ quẩn muốn tự tử, giờ em khá hơn rồi", "past"),
    ("bực mình muốn chết với con mèo nhà em", "idiom"),
    ("đúng là chết đuối vớ được cọc, may mà có người chỉ bài", "idiom"),
    ("em vừa mua bỏng ngô với bạn", "collision"),
]


@pytest.mark.parametrize(("text", "kind"), HARD_NEGATIVES)
def test_a_hard_negative_raises_no_alarm(text: str, kind: str) -> None:
    assert read_for_safety(text).sense not in TRAINED
    result = assess(text)
    assert not result.urgent, (kind, text, result)


# ----------------------------------------------------------------------------- the honest middle


@pytest.mark.parametrize(
    "text",
    [
        "help",  # a bare English "help": a question as often as a cry
        "help me",
        "anh ấy dặn em đừng nói với bố mẹ chuyện này nhé",  # one sign of grooming, no more
        "hôm qua bố đánh em",  # abuse told as over, by someone who goes home to it
    ],
)
def test_weak_evidence_asks_whether_they_are_safe(text: str) -> None:
    result = assess(text)
    if text == "hôm qua bố đánh em":  # a family member: never "over and done"
        assert result.urgent
        return
    assert result.level == "check", result
    assert result.dangers and "111" in result.lines


def test_a_model_probability_between_the_thresholds_is_a_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert engine_module.CHECK_THRESHOLD < engine_module.URGENT_THRESHOLD
    net = engine_module.safety_model()
    assert net is not None
    middle = (engine_module.CHECK_THRESHOLD + engine_module.URGENT_THRESHOLD) / 2
    for p, expected in (
        (middle, "check"),
        (engine_module.URGENT_THRESHOLD, "urgent"),
        (0.1, "none"),
    ):
        monkeypatch.setattr(type(net), "p_urgent", lambda self, prepared, p=p: p)
        result = assess("một câu không có gì đặc biệt về chuyện hôm nay")
        assert result.level == expected, (p, result)
        if expected != "none":
            assert "111" in result.lines and result.confidence == pytest.approx(p)


def test_an_urgent_message_never_becomes_a_check_because_of_the_model() -> None:
    result: Assessment = assess("em muốn tự tử")
    assert result.level == "urgent" and result.confidence == engine_module.RULE_CONFIDENCE


# ----------------------------------------------------------------------------- thresholds


@pytest.mark.slow
def test_the_thresholds_in_use_are_the_ones_cross_validation_chose() -> None:
    """Runs the 5-fold x 3 cross-validation on the training corpus (20-90 s)."""
    import numpy as np

    from handlers.safety import cv

    corpus = model_module.load_corpus()
    labels = np.array(corpus.labels)
    p, _ = cv.out_of_fold(corpus)
    points = cv.curve(p, labels, cv.rules_verdicts(corpus.texts))
    assert cv.choose_threshold(points, engine_module.FALSE_ALARM_BUDGET) == pytest.approx(
        engine_module.URGENT_THRESHOLD
    )
    assert cv.choose_threshold(points, engine_module.CHECK_BUDGET) == pytest.approx(
        engine_module.CHECK_THRESHOLD
    )
