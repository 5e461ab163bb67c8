"""The Rasa NLU training data (nlu/data/*.yml) and what a model trained on it does.

The data is a contract twice over: Rasa reads it as 3.x YAML, and the embedded engine
learns from it. These tests hold its shape, its coverage of the domain's intents, its
cleanliness (no example taught as two intents), and that a model trained on it answers
fresh, clearly worded messages it has never seen.
"""

from __future__ import annotations

import copy
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from bot.settings import Settings
from handlers.topics import CONVERSATIONAL_INTENTS, TOPICAL_INTENTS
from nlu.embedded import (
    EmbeddedModel,
    bake_feature_weights,
    build_pipeline,
    fold_examples,
    train_model,
)
from nlu.evaluate import load_test_set
from nlu.rasa_data import DATA_DIR, Example, data_files, domain_intents, load_dir
from nlu.text import fold, read

MIN_TOPICAL = 40
MIN_CONVERSATIONAL = 15
ITEM_KEYS = {"intent", "examples", "metadata"}

# Written for this test, not copied from nlu/data (test_probe_messages_are_unseen holds that):
# one or two plainly worded messages per intent, in the registers people use.
UNSEEN: list[tuple[str, str]] = [
    ("ông hàng xóm hay gọi cháu gái tôi vào nhà rồi sờ soạng, tôi báo ở đâu", "report_abuse"),
    ("e bi ba duong danh bam tim ca lung", "report_abuse"),
    ("dạy trẻ mẫu giáo nhận biết người lạ có ý đồ xấu thế nào", "abuse_prevention"),
    ("nhung bieu hien cho thay con bi xam hai", "abuse_prevention"),
    ("mấy bạn cùng lớp bắt em nộp tiền, không nộp là bị đánh", "school_violence"),
    ("thay giao tat hoc sinh trong gio kiem tra", "school_violence"),
    ("cho trẻ đi bơi ở hồ cần chuẩn bị gì để khỏi đuối nước", "accident_prevention"),
    ("be bi bong vi cham vao noi lau", "accident_prevention"),
    ("cháu mồ côi cả bố mẹ thì được trợ cấp mỗi tháng bao nhiêu", "social_assistance"),
    ("ho so xin tro cap bao tro xa hoi cho con khuyet tat", "social_assistance"),
    ("có người lạ trên messenger dọa phát tán ảnh riêng tư của em", "online_safety"),
    ("con nghien choi game tren dien thoai den khuya", "online_safety"),
    ("chủ tiệm bắt đứa bé 11 tuổi rửa bát từ sáng đến đêm", "child_labour"),
    ("13 tuoi di lam them o tiem banh co hop phap khong", "child_labour"),
    ("dạo này em buồn chán, tối nào cũng khóc một mình", "mental_health"),
    ("e thay minh vo dung va co don qua", "mental_health"),
    ("trẻ em có quyền được giữ bí mật thư từ riêng không", "child_rights"),
    ("nhung quyen co ban cua tre em theo luat", "child_rights"),
    ("số điện thoại tổng đài quốc gia bảo vệ trẻ em là số nào", "hotline_info"),
    ("goi 111 vao ban dem co ai nghe may khong", "hotline_info"),
    ("con tôi khiếm thị có được học cùng các bạn ở trường thường không", "education_support"),
    ("thu tuc mien hoc phi cho hoc sinh mo coi", "education_support"),
    ("chỉ thị 28-CT/TW của Bộ Chính trị giao cho ngành giáo dục những việc gì", "directive_info"),
    ("cong van 363 cua phong giao duc an lao noi gi", "directive_info"),
    ("xin chào bot", "greet"),
    ("tạm biệt nhé, hẹn gặp lại", "goodbye"),
    ("cảm ơn bạn rất nhiều nha", "thanks"),
    ("bot này hỗ trợ được những chủ đề gì", "help"),
    ("bạn là robot hay người", "bot_challenge"),
    ("tôi muốn nói chuyện trực tiếp với một tư vấn viên", "human_handoff"),
    ("dự báo thời tiết hà nội ngày mai", "out_of_scope"),
    ("cong thuc lam banh mi", "out_of_scope"),
]


def _raw_files() -> list[tuple[Path, Any]]:
    return [(path, yaml.safe_load(path.read_text(encoding="utf-8"))) for path in data_files()]


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load_dir()


@pytest.fixture(scope="module")
def model(examples: list[Example]) -> EmbeddedModel:
    return train_model(examples)


# ---------------------------------------------------------------------- Rasa YAML shape
def test_the_data_is_several_rasa_files() -> None:
    files = data_files()
    assert len(files) >= 5, files
    assert all(p.suffix == ".yml" and p.parent == DATA_DIR for p in files)


@pytest.mark.parametrize("path", data_files(), ids=lambda p: p.name)
def test_each_file_is_rasa_3_nlu_yaml(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(raw, dict), "top level must be a mapping"
    assert raw.get("version") == "3.1", 'Rasa 3.x wants version: "3.1" as a string'
    assert set(raw) <= {"version", "nlu"}, f"unexpected top-level keys {set(raw)}"
    items = raw.get("nlu")
    assert isinstance(items, list) and items, "nlu: must be a non-empty list"
    for item in items:
        assert isinstance(item, dict) and set(item) <= ITEM_KEYS, item
        assert isinstance(item.get("intent"), str) and item["intent"].strip(), item
        block = item.get("examples")
        assert isinstance(block, str), f"{item['intent']}: examples must be a | block"
        lines = [line for line in block.splitlines() if line.strip()]
        assert lines, f"{item['intent']}: no examples"
        for line in lines:
            assert line.startswith("- ") and line[2:].strip(), f"{item['intent']}: {line!r}"


def test_every_example_says_something_after_folding(examples: list[Example]) -> None:
    empty = [e for e in examples if not read(e.text).folded]
    assert not empty, empty


# ---------------------------------------------------------------------- coverage
def test_the_domain_lists_exactly_the_contract_intents() -> None:
    assert set(domain_intents()) == set(TOPICAL_INTENTS) | set(CONVERSATIONAL_INTENTS)


def test_every_domain_intent_has_enough_examples(examples: list[Example]) -> None:
    counts = Counter(e.intent for e in examples)
    short = {
        intent: counts[intent]
        for intent in domain_intents()
        if counts[intent] < (MIN_TOPICAL if intent in TOPICAL_INTENTS else MIN_CONVERSATIONAL)
    }
    assert not short, f"too few examples: {short}"


def test_no_intent_in_the_data_is_missing_from_the_domain(examples: list[Example]) -> None:
    unknown = {e.intent for e in examples} - set(domain_intents())
    assert not unknown, unknown


def test_both_written_forms_are_taught() -> None:
    # People type with and without diacritics; the data should show both, roughly evenly.
    texts = [e.text for e in load_dir()]
    accented = sum(1 for t in texts if fold(t) != t.lower())
    share = accented / len(texts)
    assert 0.3 <= share <= 0.7, f"{share:.0%} of examples carry diacritics"


# ---------------------------------------------------------------------- cleanliness
def test_no_example_is_taught_as_two_intents(examples: list[Example]) -> None:
    intents_of: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        intents_of[read(example.text).folded].add(example.intent)
    clashes = {text: sorted(i) for text, i in intents_of.items() if len(i) > 1}
    assert not clashes, clashes


def test_no_example_is_repeated(examples: list[Example]) -> None:
    # Repeats (even in one intent) only inflate cross-validation.
    counts = Counter((read(e.text).folded, e.intent) for e in examples)
    assert not [k for k, n in counts.items() if n > 1]


def test_each_intent_is_written_in_one_file() -> None:
    homes: dict[str, list[str]] = defaultdict(list)
    for path, raw in _raw_files():
        for item in raw["nlu"]:
            homes[item["intent"]].append(path.name)
    assert {i: f for i, f in homes.items() if len(f) > 1} == {}


# ---------------------------------------------------------------------- a trained model
def test_probe_messages_are_unseen(examples: list[Example]) -> None:
    taught = {read(e.text).folded for e in examples}
    assert not [text for text, _ in UNSEEN if read(text).folded in taught]
    assert {intent for _, intent in UNSEEN} == set(domain_intents())


def test_a_trained_model_knows_every_intent(model: EmbeddedModel) -> None:
    assert set(model.intents) == set(domain_intents())


@pytest.mark.parametrize(("text", "intent"), UNSEEN, ids=[t for t, _ in UNSEEN])
def test_clear_unseen_messages_reach_their_intent(
    model: EmbeddedModel, text: str, intent: str
) -> None:
    probabilities = model.pipeline.predict_proba([read(text).folded])[0]
    best = int(np.argmax(probabilities))
    assert model.intents[best] == intent, (
        f"{text!r}: got {model.intents[best]} ({probabilities[best]:.2f})"
    )


def test_clear_unseen_messages_are_mostly_answered_not_asked_back(
    model: EmbeddedModel,
) -> None:
    threshold = Settings.model_fields["confidence_threshold"].default
    folded = [read(text).folded for text, _ in UNSEEN]
    confident = (model.pipeline.predict_proba(folded).max(axis=1) >= threshold).mean()
    assert confident >= 0.8, f"only {confident:.0%} of clear messages clear the threshold"


@pytest.mark.slow  # trains a model or serves for seconds
def test_baked_feature_weights_change_no_prediction(examples: list[Example]) -> None:
    texts, labels = fold_examples(examples)
    weighted = build_pipeline()
    weighted.fit(texts, labels)
    assert weighted.named_steps["features"].transformer_weights
    baked = copy.deepcopy(weighted)
    bake_feature_weights(baked)
    assert baked.named_steps["features"].transformer_weights is None
    probe = [read(text).folded for text, _ in UNSEEN] + texts[::25]
    assert np.allclose(baked.predict_proba(probe), weighted.predict_proba(probe), atol=1e-12)


ENGLISH_HELD_OUT = Path(__file__).resolve().parents[2] / "nlu" / "tests" / "test_nlu_english.yml"


def test_the_english_held_out_set_is_never_taught(examples: list[Example]) -> None:
    # nlu/tests/test_nlu_english.yml measures English and mixed messages the model never saw.
    held_out = load_test_set(ENGLISH_HELD_OUT)
    assert {e.intent for e in held_out} == set(domain_intents())
    taught = {read(e.text).folded for e in examples}
    assert not [e.text for e in held_out if read(e.text).folded in taught]
