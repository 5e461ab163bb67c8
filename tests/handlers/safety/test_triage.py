"""Safety layer (handlers/safety/), ported from the first-generation triage tests: the
training corpus, the lines each danger calls for, accent-aware readings, the word gate, the
learned model and its cache, and properties over random text."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.base import load_content
from handlers.safety import LINES, Assessment, Danger, assess, lines_for, model_score
from handlers.safety import engine as engine_module
from handlers.safety import model as model_module
from handlers.safety import patterns as patterns_module
from handlers.safety import rules as rules_module
from handlers.safety.engine import URGENT_THRESHOLD, prepare_for_model
from handlers.safety.reading import read_for_safety
from handlers.topics import INTENT_FOR_DANGER, TOPICAL_INTENTS

TRAIN = model_module.load_examples()
# Written by sessions that never saw the rules, to widen what the model learns (round 5): the
# rules were not tuned to them, so they are learned in-sample only up to a floor (below); every
# other training file is learned exactly.
WIDENING = (
    "train_situations.yml",
    "train_hard_negatives.yml",
    "train_contrasts.yml",
    # round 6: written blind by another helper (gen6), filtered against the blind sets
    "train_gen6_harmless_e.yml",
    "train_gen6_urgent_d.yml",
    # round 6: long stories and two-word messages in every region's speech (gen7), filtered alike
    "train_gen7_stories_f.yml",
    # round 6: indirect disclosures, and code-mixed or disguised teen talk (gen8), filtered alike
    "train_gen8_indirect_g.yml",
    "train_gen8_mixed_h.yml",
)
CURATED = model_module.load_examples(
    tuple(p for p in model_module.data_files() if p.name not in WIDENING)
)
KINDS: dict[str, str] = {e.text: str(e.danger) for e in CURATED if e.urgent}
URGENT: list[str] = list(KINDS)
NOT_URGENT: list[str] = [e.text for e in CURATED if not e.urgent]


def check(text: str) -> Assessment:
    return assess(text)


def rules_alone(text: str) -> Assessment:
    return assess(text, use_model=False)


# --------------------------------------------------------------------------- the corpus


def test_corpus_is_large_and_unambiguous() -> None:
    assert len(URGENT) >= 800
    assert len(NOT_URGENT) >= 1000
    urgent = [e.text.casefold() for e in TRAIN if e.urgent]
    calm = [e.text.casefold() for e in TRAIN if not e.urgent]
    assert len(urgent) == len(set(urgent)) and len(calm) == len(set(calm))  # no repeats
    assert not set(urgent) & set(calm)
    assert {str(e.danger) for e in TRAIN if e.urgent} <= {danger.value for danger in Danger}
    assert {p.name for p in model_module.data_files()} >= set(WIDENING)


# in-sample floors a little under what the rules and the model reach on them today (urgent
# learned; harmless raising the alarm: the rules' false alarms still to fix, docs/safety.md)
WIDENING_FLOORS = {
    "train_situations.yml": (0.90, None),
    "train_hard_negatives.yml": (None, 0.07),
    "train_contrasts.yml": (0.94, 0.12),
    "train_gen6_harmless_e.yml": (0.95, 0.03),
    "train_gen6_urgent_d.yml": (0.94, 0.08),
    "train_gen7_stories_f.yml": (0.93, 0.07),
    "train_gen8_indirect_g.yml": (0.91, 0.11),
    "train_gen8_mixed_h.yml": (0.90, 0.02),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", WIDENING)
def test_the_widening_corpora_are_learned_up_to_a_floor(name: str) -> None:
    examples = model_module.load_examples((model_module.data_files()[0].parent / name,))
    urgent = [e for e in examples if e.urgent]
    calm = [e for e in examples if not e.urgent]
    least_recall, most_alarms = WIDENING_FLOORS[name]
    if least_recall is not None:
        learned = sum(check(e.text).urgent for e in urgent) / len(urgent)
        assert learned >= least_recall, f"{name}: {learned:.3f} of its urgent messages escalate"
    if most_alarms is not None:
        alarms = sum(check(e.text).urgent for e in calm) / len(calm)
        assert alarms <= most_alarms, f"{name}: {alarms:.3f} of its harmless messages alarm"


@pytest.mark.parametrize("text", URGENT)
def test_urgent_message_escalates_with_111_shown(text: str) -> None:
    result = check(text)
    assert result.urgent, text
    assert "111" in result.lines
    assert result.dangers
    assert result.lines[0] == LINES[result.dangers[0]][0]
    assert len(result.reasons) == len(result.dangers)


@pytest.mark.parametrize("text", NOT_URGENT)
def test_not_urgent_message_is_not_escalated(text: str) -> None:
    result = check(text)
    assert not result.urgent, (text, result.reasons)
    assert result.level == "check" or result.lines == ()


# --------------------------------------------------------------------------- lines per danger


@pytest.mark.parametrize(
    ("text", "danger", "lines"),
    [
        ("con tôi đang bị đuối nước", Danger.DROWNING, ("115", "114", "111")),
        ("thằng nhỏ té xuống kênh rồi", Danger.DROWNING, ("115", "114", "111")),
        ("bố em đang đánh em", Danger.VIOLENCE, ("113", "111")),
        ("bố em hay đánh em", Danger.ABUSE, ("111", "113")),
        ("em muốn tự tử", Danger.SUICIDE_SELF_HARM, ("111", "115")),
        ("chú hàng xóm sờ vào chỗ kín của em", Danger.SEXUAL_ASSAULT, ("111", "113")),
        ("có người bắt cóc em", Danger.ABDUCTION_MISSING, ("113", "111")),
        ("con tôi uống nhầm thuốc trừ sâu", Danger.POISONING, ("115", "111")),
        ("em bị điện giật", Danger.SERIOUS_INJURY, ("115", "111")),
        ("nhà tôi đang cháy, con tôi kẹt trong phòng", Danger.FIRE, ("114", "115", "111")),
    ],
)
def test_lines_fit_the_danger(text: str, danger: Danger, lines: tuple[str, ...]) -> None:
    result = check(text)
    assert result.primary is danger, result
    assert result.lines == lines


@pytest.mark.parametrize("text", ["cứu với", "please help me", "SOS", "cíu e vs", "🆘", "cứu"])
def test_a_bare_plea_is_an_unspecified_danger_with_111_and_113(text: str) -> None:
    result = check(text)
    assert result.dangers == (Danger.UNSPECIFIED,)
    assert result.lines == ("111", "113", "115")


def test_a_plea_with_a_specific_danger_adds_no_unrelated_kind() -> None:
    result = check("cứu với, con tôi bị đuối nước")
    assert result.dangers == (Danger.DROWNING,)
    assert result.lines == ("115", "114", "111")


def test_several_dangers_come_life_threatening_first() -> None:
    result = check("bố đánh mẹ em ngất xỉu rồi, em định tự tử")
    # a beating that hurt badly is violence (113), with the ambulance and 111 among the lines
    assert result.dangers[0] is Danger.VIOLENCE
    assert {Danger.SUICIDE_SELF_HARM, Danger.SERIOUS_INJURY} <= set(result.dangers)
    assert result.lines[0] == "113"
    assert {"111", "115"} <= set(result.lines)


def test_lines_for_leads_with_the_first_danger_and_never_repeats() -> None:
    assert lines_for(()) == ("111",)
    every = tuple(Danger)
    lines = lines_for(every)
    assert lines[0] == LINES[every[0]][0]
    assert len(lines) == len(set(lines))
    assert set(lines) == {"111"} | {line for d in every for line in LINES[d]}


def test_every_danger_has_its_lines_and_111() -> None:
    assert set(LINES) == set(Danger)
    for danger in Danger:
        assert "111" in LINES[danger]
        assert lines_for((danger,))[0] == LINES[danger][0]


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
    assert Danger.SERIOUS_INJURY not in check(text).dangers
    assert Danger.SUICIDE_SELF_HARM not in check(text).dangers


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
    assert check("/help").level == "none"
    assert check("help").level == "check"  # a bare English "help": ask, do not sound the alarm
    assert check("cứu em").urgent


# --------------------------------------------------------------------------- gating


def test_the_word_gate_never_hides_a_match_in_the_corpus() -> None:
    """Each pattern runs only when one of its required words is in the message; those words
    are derived from the parsed regex, and here checked against every corpus message."""
    patterns = [pattern for _, _, pattern in rules_module.compiled().order]
    gated = [p for p in patterns if p.required is not None]
    assert len(gated) >= 0.9 * len(patterns)
    for text in URGENT + NOT_URGENT:
        reading = read_for_safety(text)
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
    required = patterns_module.required_words(pattern, frozenset({"muon", "bi", "tay"}))
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
    assert isinstance(result, Assessment)
    assert result.level == "none" or ("111" in result.lines and result.dangers)


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
def test_never_raises_on_a_reading_built_by_hand(text: str) -> None:
    assess(SimpleNamespace(original=text, canonical=text, folded=text))  # type: ignore[arg-type]
    assess(SimpleNamespace(original="", canonical="", folded=text))  # type: ignore[arg-type]


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
    assert "111" in result.lines


# --------------------------------------------------------------------------- the learned model

# Written for these tests, never part of the corpus the model learns from.
UNSEEN_URGENT = [
    (
        "mai mọi người sẽ không còn phải lo cho con nữa, con chuẩn bị hết rồi",
        Danger.SUICIDE_SELF_HARM,
    ),
    ("em không muốn làm gánh nặng nữa, tối nay em sẽ kết thúc", Danger.SUICIDE_SELF_HARM),
    ("chú ấy nói đêm nay sẽ vào phòng em nữa, em sợ lắm", Danger.SEXUAL_ASSAULT),
    ("ông đó bảo em vào phòng rồi khóa cửa, giờ em đang kẹt trong này", Danger.SEXUAL_ASSAULT),
    ("thằng bé hàng xóm bị một người lạ ôm lên xe chạy mất", Danger.ABDUCTION_MISSING),
    ("bố em lấy dây điện trói em vào cột rồi quất", Danger.ABUSE),
    ("bé rơi xuống hồ nước, vớt lên thì tím tái không thở", Danger.DROWNING),
    ("nhà hàng xóm đang bốc cháy, có hai đứa nhỏ bên trong", Danger.FIRE),
]
UNSEEN_GENERAL = [
    "làm sao để con không bị người lạ dụ dỗ",
    "tội dâm ô trẻ em bị phạt bao nhiêu năm tù",
    "mua bán người dưới 16 tuổi bị xử lý theo điều nào",
    "cách sơ cứu khi trẻ bị đuối nước",
    "làm sao cứu người bị đuối nước khi không biết bơi",
    "dấu hiệu trẻ có ý định tự tử là gì",
    "người lớn nên làm gì khi thấy trẻ bị bạo hành",
    "cách thoát hiểm khi nhà bị cháy",
    "mất chó thì báo ở đâu",
    "có nên cho trẻ ngủ riêng phòng không",
]


def test_the_unseen_examples_are_unseen() -> None:
    seen = {read_for_safety(text).sense for text in URGENT + NOT_URGENT}
    for text in [t for t, _ in UNSEEN_URGENT] + UNSEEN_GENERAL:
        assert read_for_safety(text).sense not in seen, text


@pytest.mark.parametrize(("text", "danger"), UNSEEN_URGENT)
def test_unseen_paraphrases_escalate_through_the_model_alone(text: str, danger: Danger) -> None:
    alone = _model_alone(text)
    assert alone is not None and alone.urgent, (text, model_score(text))
    assert "111" in alone.lines
    assert all(reason.startswith("model:") for reason in alone.reasons)
    assert danger in alone.dangers or alone.dangers == (Danger.UNSPECIFIED,), alone
    assert check(text).urgent


def _model_alone(text: str) -> Assessment | None:
    return engine_module._model_verdict([read_for_safety(text)])


@pytest.mark.parametrize("text", UNSEEN_GENERAL)
def test_general_questions_do_not_escalate_through_the_model(text: str) -> None:
    score = model_score(text)
    assert score is not None and score.p_urgent < URGENT_THRESHOLD, (text, score)
    alone = _model_alone(text)
    assert alone is None or not alone.urgent
    assert not check(text).urgent


def test_a_message_only_the_model_understands_is_escalated_with_its_reason() -> None:
    text = UNSEEN_URGENT[0][0]
    assert not rules_alone(text).urgent
    result = check(text)
    assert result.urgent and result.reasons[0].startswith("model:p=")
    assert result.lines[0] == "111"


def test_the_model_reads_a_long_story_in_windows() -> None:
    filler = "Hôm nay em đi học, trời nắng, cô giáo cho làm bài kiểm tra toán. " * 15
    story = filler + UNSEEN_URGENT[0][0] + ". " + filler
    assert len(engine_module._windows(read_for_safety(story).sense)) > 1
    verdict = _model_alone(story)
    assert verdict is not None and verdict.urgent
    calm = _model_alone(filler)
    assert calm is None or not calm.urgent


@pytest.mark.parametrize(
    ("kinds", "sense", "dangers", "lines"),
    [
        # confident: the likely kinds, most likely first, with their lines
        (
            {"violence": 0.7, "serious_injury": 0.26, "fire": 0.04},
            "bo danh em",
            (Danger.VIOLENCE, Danger.SERIOUS_INJURY),
            ("113", "111", "115"),
        ),
        ({"fire": 0.9, "violence": 0.1}, "nha chay", (Danger.FIRE,), ("114", "115", "111")),
        # unsure and nothing cued: still the most likely kind (out of fold it fits the first
        # line better than 111 at every confidence), the other likely kinds' lines after
        (
            {"violence": 0.4, "suicide_self_harm": 0.35, "fire": 0.25},
            "em so qua",
            (Danger.VIOLENCE, Danger.SUICIDE_SELF_HARM, Danger.FIRE),
            ("113", "111", "115", "114"),
        ),
        # unsure, and a naming cue tells the danger: the cue names it ("khói", "co giật")
        (
            {"violence": 0.4, "serious_injury": 0.35, "fire": 0.25},
            "phong em khoi den kin roi",
            (Danger.FIRE, Danger.VIOLENCE, Danger.SERIOUS_INJURY),
            ("114", "115", "111", "113"),
        ),
        (
            {"violence": 0.3, "abuse": 0.28, "serious_injury": 0.2},
            "me em len con dong kinh , dau dap xuong san",
            (Danger.SERIOUS_INJURY, Danger.VIOLENCE, Danger.ABUSE),
            ("115", "111", "113"),
        ),
        # confident and cued differently: both named, the most pressing first
        (
            {"suicide_self_harm": 0.8, "suicide_attempt": 0.1, "runaway": 0.1},
            "em dang ngoi tren lan can cau , tam biet",
            (Danger.SUICIDE_ATTEMPT, Danger.SUICIDE_SELF_HARM),
            ("115", "113", "111"),
        ),
        (
            {"unspecified": 0.6, "violence": 0.2, "drowning": 0.2},
            "giup em",
            (Danger.UNSPECIFIED,),
            ("111", "113", "115"),
        ),
    ],
)
def test_the_kind_when_only_the_model_fires(
    kinds: dict[str, float], sense: str, dangers: tuple[Danger, ...], lines: tuple[str, ...]
) -> None:
    result = engine_module._from_model(0.95, kinds, read_for_safety(sense), "urgent")
    assert result.urgent
    assert result.dangers == dangers
    assert result.lines == lines
    assert result.reasons and result.reasons[0].startswith("model:p=0.95")


def test_compiled_scores_agree_with_scikit_learn(tmp_path: Path) -> None:
    data = tmp_path / "corpus.yml"
    _small_corpus(data)
    net = model_module.train(model_module.load_corpus(data), prepare_for_model)
    sample = [prepare_for_model(t) for t in URGENT[::97] + NOT_URGENT[::97] + ["", "?", "😭"]]
    assert net.agrees_with_sklearn(sample)


def _small_corpus(path: Path) -> None:
    by_danger: dict[str, list[str]] = {}
    for e in TRAIN:
        if e.urgent:
            by_danger.setdefault(str(e.danger), []).append(e.text)
    entries = [
        {"text": t, "urgent": True, "danger": d}
        for d, texts in by_danger.items()
        if len(texts) >= 40
        for t in texts[:12]
    ]
    entries += [{"text": t, "urgent": False} for t in NOT_URGENT[::12]]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _store(data: Path, cache: Path) -> model_module.NetStore:
    return model_module.NetStore(
        prepare=prepare_for_model,
        code_files=(Path(engine_module.__file__),),
        data_file=data,
        directory=cache,
        self_check=("em muốn chết", "xin chào"),
    )


@pytest.mark.slow  # trains a model or serves for seconds
def test_the_model_is_the_same_whenever_it_is_trained_on_the_same_data(tmp_path: Path) -> None:
    data = tmp_path / "corpus.yml"
    _small_corpus(data)
    corpus = model_module.load_corpus(data)
    first = model_module.train(corpus, prepare_for_model)
    second = model_module.train(corpus, prepare_for_model)
    for text in URGENT[::50] + NOT_URGENT[::50]:
        prepared = prepare_for_model(text)
        assert first.p_urgent(prepared) == second.p_urgent(prepared)
        assert first.kind_probabilities(prepared) == second.kind_probabilities(prepared)


@pytest.mark.slow  # trains a model or serves for seconds
def test_the_model_is_cached_by_fingerprint_and_retrained_when_the_data_changes(
    tmp_path: Path,
) -> None:
    data, cache = tmp_path / "corpus.yml", tmp_path / "cache"
    _small_corpus(data)
    net = _store(data, cache).get()  # a fresh clone: no cache yet
    assert net is not None
    (cached,) = cache.glob("safety-net-*.npz")
    assert cached.name == f"safety-net-{net.fingerprint}.npz"
    stamp = cached.stat().st_mtime_ns

    again = _store(data, cache).get()  # loaded, not retrained: the file is untouched
    assert again is not None and again.fingerprint == net.fingerprint
    assert cached.stat().st_mtime_ns == stamp
    text = prepare_for_model(URGENT[0])
    assert again.p_urgent(text) == net.p_urgent(text)

    with data.open("a", encoding="utf-8") as fh:
        fh.write("- {text: một câu hỏi mới về học bổng, urgent: false}\n")
    changed = _store(data, cache).get()
    assert changed is not None and changed.fingerprint != net.fingerprint
    assert [p.name for p in cache.glob("safety-net-*.npz")] == [
        f"safety-net-{changed.fingerprint}.npz"
    ]


def test_an_unreadable_cache_is_retrained(tmp_path: Path) -> None:
    data, cache = tmp_path / "corpus.yml", tmp_path / "cache"
    _small_corpus(data)
    store = _store(data, cache)
    fingerprint = model_module.fingerprint(data, store.code_files)
    cache.mkdir()
    store.path(fingerprint).write_bytes(b"not a pickle")
    net = store.get()
    assert net is not None and net.fingerprint == fingerprint


def test_without_its_model_the_safety_layer_still_answers_by_the_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = _store(tmp_path / "missing.yml", tmp_path / "cache")
    monkeypatch.setattr(engine_module, "_MODEL", broken)
    assert engine_module.safety_model() is None
    assert check("em muốn tự tử").urgent
    assert not check(UNSEEN_URGENT[0][0]).urgent  # only the model knew this one
    assert check("xin chào").level == "none"
    assert model_score("xin chào") is None


# --------------------------------------------------------------------------- every danger

# The first-generation dangers: their urgent steps are in content/answers/urgent.yml.
FIRST_GENERATION = (
    Danger.VIOLENCE,
    Danger.SEXUAL_ASSAULT,
    Danger.ABDUCTION_MISSING,
    Danger.SUICIDE_SELF_HARM,
    Danger.SERIOUS_INJURY,
    Danger.POISONING,
    Danger.DROWNING,
    Danger.FIRE,
    Danger.UNSPECIFIED,
)


def test_every_danger_has_a_topic_and_urgent_steps_in_the_content() -> None:
    assert {d.value for d in Danger} <= set(INTENT_FOR_DANGER)
    assert set(INTENT_FOR_DANGER.values()) <= set(TOPICAL_INTENTS)
    content = load_content()
    for danger in FIRST_GENERATION:
        steps = content.get(f"urgent.{danger.value}")
        assert steps is not None, danger
        for line in (line for line in LINES[danger] if line != "111"):
            assert f"**{line}**" in steps.text or danger is Danger.UNSPECIFIED, (danger, line)
    plea = content.get("urgent.unspecified")
    assert plea is not None
    assert {(s.doc, s.ref) for s in plea.sources} == {
        ("ND-56-2017", "Điều 23"),
        ("TT-22-2014-BTTTT", "Điều 13"),
    }
