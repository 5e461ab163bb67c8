"""`UnionFeatures.vector` cuts and looks up each word's character n-grams once and keeps the
word's in-vocabulary columns (#18). The vectors must be exactly, bit for bit and in the same
order, those of counting every n-gram of the text as scikit-learn's analyzer cuts them (the
reference below, the code before), for the intent classifier and the safety model, on the
benchmark's messages and the safety corpus, with the cache cold, warm and cleared midway."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from numpy.typing import NDArray

from bench.corpus import message_set
from bot.settings import Settings
from handlers.safety import engine as engine_module
from handlers.safety.model import load_examples
from nlu.compiled import UnionFeatures
from nlu.embedded import EmbeddedEngine
from nlu.text import read


def _reference(features: UnionFeatures, text: str) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    columns, values = [], []
    for block in features.blocks:
        counts = [
            (index, count)
            for gram, count in Counter(block.analyze(text)).items()
            if (index := block.vocabulary.get(gram)) is not None
        ]
        if not counts:
            continue
        cols = np.fromiter((i for i, _ in counts), dtype=np.intp, count=len(counts))
        vals = np.fromiter((c for _, c in counts), dtype=np.float64, count=len(counts))
        if block.sublinear:
            vals = np.log(vals) + 1.0
        if block.idf is not None:
            vals *= block.idf[cols]
        if block.norm == "l2":
            vals /= math.sqrt(float(vals @ vals))
        columns.append(cols + block.offset)
        values.append(vals)
    if not columns:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    return np.concatenate(columns), np.concatenate(values)


def _check(features: UnionFeatures, texts: list[str]) -> None:
    for i, text in enumerate(texts):
        if i == len(texts) // 2:
            for cache in features._word_cache:
                cache.clear()
        got = features.vector(text)
        expected = _reference(features, text)
        assert np.array_equal(got[0], expected[0]), text
        assert np.array_equal(got[1], expected[1]), text  # bit for bit


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return (
        [m.text for m in message_set(1500)]
        + [e.text for e in load_examples()][:1500]
        + [
            "",
            "   ",
            "ΟΔΟΣ Σοφία İstanbul",
            "😭😭",
        ]
    )


def test_the_intent_classifier_vectors_are_those_of_every_ngram(
    settings: Settings, texts: list[str]
) -> None:
    engine = EmbeddedEngine(settings.model_dir).load_or_train()
    features = engine.scorer._features
    for cache in features._word_cache:
        cache.clear()
    folded = [read(t).folded for t in texts]
    _check(features, folded)
    _check(features, folded)  # warm


@pytest.mark.slow  # checks a whole corpus or waits out timeouts: seconds
def test_the_safety_model_vectors_are_those_of_every_ngram(texts: list[str]) -> None:
    net = engine_module.safety_model()
    assert net is not None
    features = net._features
    prepared = [engine_module.prepare_for_model(t) for t in texts] + texts[-4:]
    _check(features, prepared)
    _check(features, prepared)
