"""The learned safety net scores a long text's overlapping windows incrementally (#18): each
word's n-grams are cut and looked up once, the windows' vectors summed from them, and the
probabilities are those of scoring every window's text on its own (within 1e-9), on the whole
safety training corpus and on long stories made of it."""

from __future__ import annotations

import random
from collections.abc import Iterator

import numpy as np
import pytest

from handlers.safety import engine as engine_module
from handlers.safety import model as model_module
from handlers.safety.reading import SafetyReading, read_for_safety
from nlu import compiled as compiled_module
from nlu.compiled import UnionFeatures, _Block
from nlu.text import read

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def net() -> model_module.SafetyNet:
    loaded = engine_module.safety_model()
    assert loaded is not None
    return loaded


def _reading(text: str) -> SafetyReading:
    return read_for_safety(read(text).canonical)


def _old_windows(sense: str) -> list[str]:
    """The windows as the model read them one by one before #18 (kept here, apart from the
    engine's spans, as the reference)."""
    if len(sense.split()) <= 120:
        return [sense]
    pieces: list[str] = []
    for sentence in sense.split("|"):
        words = sentence.split()
        if len(words) <= 40:
            if words:
                pieces.append(" ".join(words))
            continue
        for i in range(0, len(words) - 40 + 20, 20):
            pieces.append(" ".join(words[i : i + 40]))
    if len(pieces) > 64:
        pieces = pieces[:32] + pieces[-32:]
    return pieces


def _stories(count: int, seed: int) -> Iterator[str]:
    """Long stories (about 150 to 1,500 words) made of the training corpus's messages, some
    run together without a full stop so that sentences run past one window."""
    examples = [e.text for e in model_module.load_examples()]
    rng = random.Random(seed)
    for _ in range(count):
        parts = rng.sample(examples, rng.randint(15, 120))
        joiner = rng.choice([". ", " ", ", ", "\n"])
        yield joiner.join(parts)


@pytest.mark.slow  # checks a whole corpus or waits out timeouts: seconds
def test_every_corpus_text_scores_the_same_in_overlapping_windows(
    net: model_module.SafetyNet,
) -> None:
    """Each corpus text, whole and cut in overlapping windows of 2 to 6 words, its framing
    marks after each: the incremental scores equal each window's text scored alone."""
    examples = model_module.load_examples()
    assert len(examples) > 1000
    worst = 0.0
    windows = 0
    for i, example in enumerate(examples):
        reading = _reading(example.text)
        words = reading.sense.split()
        if not words:
            continue
        size, stride = 2 + i % 5, 1 + i % 3
        spans = [(0, len(words))]
        spans += [(s, min(s + size, len(words))) for s in range(0, len(words), stride)]
        texts = [" ".join(words[s:e]) for s, e in spans]
        tails = engine_module._marks_of_windows(texts, "?" in reading.lower, i % 7 == 0)
        got = net.p_urgent_spans(words, spans, tails)
        expected = [
            net.p_urgent(f"{text} {' '.join(tail)}".strip())
            for text, tail in zip(texts, tails, strict=True)
        ]
        worst = max(worst, float(np.max(np.abs(np.array(got) - np.array(expected)))))
        windows += len(spans)
    assert windows > 10_000
    assert worst <= TOLERANCE


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_long_stories_score_as_their_windows_one_by_one(
    net: model_module.SafetyNet, seed: int
) -> None:
    many = 0
    for story in _stories(12, seed):
        reading = _reading(story)
        question = "?" in reading.lower
        follow_up = engine_module._follows_up(reading)
        windows = _old_windows(reading.sense)
        split = engine_module._window_spans(reading.sense)
        assert split is not None
        words, spans = split
        assert [" ".join(words[s:e]) for s, e in spans] == windows
        prepared = [engine_module._model_input(w, question, follow_up) for w in windows]
        one_by_one = [net.p_urgent(text) for text in prepared]
        tails = engine_module._marks_of_windows(windows, question, follow_up)
        together = net.p_urgent_spans(words, spans, tails)
        assert np.max(np.abs(np.array(together) - np.array(one_by_one))) <= TOLERANCE
        score = engine_module._score(net, reading)
        assert score is not None
        assert abs(score.p_urgent - max(one_by_one)) <= TOLERANCE
        assert net.p_urgent(score.prepared) == pytest.approx(score.p_urgent, abs=TOLERANCE)
        many += len(windows) > 20
    assert many >= 3  # some stories run to many windows


def test_a_long_story_is_not_read_window_by_window(
    net: model_module.SafetyNet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fails if the windows' texts are vectorised one by one again: no whole-text vector is
    made, and each distinct word's char n-grams are looked up once, not once per window."""
    story = next(_stories(1, seed=18))
    reading = _reading(story)
    split = engine_module._window_spans(reading.sense)
    assert split is not None
    words, spans = split
    assert len(spans) > 10
    vectors = 0
    looked_up: list[str] = []
    real_vector = UnionFeatures.vector
    real_columns = UnionFeatures._char_columns

    def counting_vector(self: UnionFeatures, text: str) -> tuple[object, object]:
        nonlocal vectors
        vectors += 1
        return real_vector(self, text)

    def counting_columns(
        self: UnionFeatures, block: _Block, cache: dict[str, object], word: str
    ) -> tuple[int, ...]:
        looked_up.append(word)
        return real_columns(self, block, cache, word)

    monkeypatch.setattr(UnionFeatures, "vector", counting_vector)
    monkeypatch.setattr(UnionFeatures, "_char_columns", counting_columns)
    for cache in net._features._word_cache:
        cache.clear()
    score = engine_module._score(net, reading)
    assert score is not None
    assert vectors == 0
    distinct = set(words) | {name for name, _ in engine_module._MARKS_FOR_MODEL}
    distinct |= {"zzquestion", "zzfollowup"}
    assert len(looked_up) == len(set(looked_up))  # each word once
    assert set(looked_up) <= distinct
    assert len(looked_up) < sum(e - s for s, e in spans) / 1.5  # far fewer than window by window


def _tiny_union(texts: list[str]) -> UnionFeatures:
    """A union unlike the safety net's: char_wb 2-4 without idf, l1-normed, raw counts; word
    1-3 grams with idf, l2; lowercasing on. Its vocabulary is every n-gram of `texts`."""
    char = compiled_module.make_analyzer("char_wb", (2, 4), True, r"(?u)\b\w+\b")
    word = compiled_module.make_analyzer("word", (1, 3), True, r"(?u)\b\w\w+\b")
    char_vocabulary = {g: i for i, g in enumerate(sorted({g for t in texts for g in char(t)}))}
    word_vocabulary = {g: i for i, g in enumerate(sorted({g for t in texts for g in word(t)}))}
    rng = np.random.default_rng(3)
    return UnionFeatures(
        [
            _Block.build(
                "char_wb", (2, 4), True, r"(?u)\b\w+\b", char_vocabulary, None, False, "l1", 0
            ),
            _Block.build(
                "word",
                (1, 3),
                True,
                r"(?u)\b\w\w+\b",
                word_vocabulary,
                rng.uniform(1, 3, len(word_vocabulary)),
                True,
                "l2",
                len(char_vocabulary),
            ),
        ]
    )


def test_spans_equal_whole_vectors_for_other_settings() -> None:
    """Trigrams into the tail, lowercasing, l1 norms, no idf, one-letter tokens dropped."""
    rng = random.Random(5)
    vocabulary_words = [
        "Em",
        "bi",
        "Ba",
        "danh",
        "a",
        "o",
        "Nha",
        "x-y",
        "đau",
        "quá",
        ",",
        "|",
        "Trời",
        "ơi",
        "cứu",
        "em",
        "với",
    ]
    texts = [" ".join(rng.choices(vocabulary_words, k=rng.randint(1, 30))) for _ in range(60)]
    union = _tiny_union(texts[:40])
    assert union.by_words
    for text in texts:
        words = text.split()
        spans = [(s, min(s + 7, len(words))) for s in range(0, len(words), 3)] + [(0, 0)]
        tails = [rng.choices(["zzA", "Nha", "a", "x-y Em"], k=rng.randint(0, 2)) for _ in spans]
        rows, cols, vals = union.span_vectors(words, spans, tails)
        for j, ((s, e), tail) in enumerate(zip(spans, tails, strict=True)):
            expected = dict(zip(*union.vector(" ".join([*words[s:e], *tail])), strict=True))
            got = {int(c): float(v) for c, v in zip(cols[rows == j], vals[rows == j], strict=True)}
            assert got.keys() == {int(c) for c in expected}
            for column, value in expected.items():
                assert abs(got[int(column)] - value) <= TOLERANCE


def test_a_token_pattern_that_can_span_words_is_scored_text_by_text() -> None:
    union = _tiny_union(["a b c"])
    block = union.blocks[1]
    spanning = UnionFeatures(
        [
            union.blocks[0],
            _Block.build(
                "word",
                (1, 2),
                False,
                r"\w+ \w+",
                {"a b": 0, "b c": 1},
                None,
                False,
                "l2",
                block.offset,
            ),
        ]
    )
    assert not spanning.by_words
    rows, cols, _ = spanning.span_vectors(["a", "b", "c"], [(0, 2), (1, 3)], [[], []])
    assert {int(c) for c in cols[rows == 0]} >= {block.offset}
    assert {int(c) for c in cols[rows == 1]} >= {block.offset + 1}
