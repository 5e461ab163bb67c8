"""The embedded engine's compiled scorer (nlu/compiled.py) gives the pipeline's own numbers.

It exists only for speed (#8), so it must never change an answer: its probabilities are
checked against scikit-learn's `predict_proba` on every training and held-out example, on
odd input, and the engine refuses a scorer that disagrees.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from nlu.compiled import CompiledScorer, compile_pipeline
from nlu.embedded import EmbeddedEngine, EmbeddedModel, train_model
from nlu.rasa_data import DATA_DIR, load_dir, load_file
from nlu.text import read
from tests.conftest import MODEL_CACHE

HELD_OUT = Path(__file__).resolve().parents[2] / "nlu" / "tests" / "test_nlu.yml"


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return EmbeddedEngine(MODEL_CACHE)


@pytest.fixture(scope="module")
def model() -> EmbeddedModel:
    """Trained here, so that scikit-learn's pipeline is at hand to compare with."""
    return train_model(load_dir(DATA_DIR))


@pytest.fixture(scope="module")
def scorer(engine: EmbeddedEngine, model: EmbeddedModel) -> CompiledScorer:
    compiled = engine.scorer(model)
    assert compiled is not None, "the shipped pipeline compiles"
    return compiled


def test_every_known_example_scores_exactly_as_the_pipeline(
    model: EmbeddedModel, scorer: CompiledScorer
) -> None:
    examples = [*load_dir(DATA_DIR), *load_file(HELD_OUT)]
    texts = [read(e.text).folded for e in examples]
    assert len(texts) > 1000
    expected = model.pipeline.predict_proba(texts)
    got = np.vstack([scorer.probabilities(t) for t in texts])
    assert np.abs(got - expected).max() < 1e-9
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


_TRAINED: list[EmbeddedModel] = []


def _trained() -> EmbeddedModel:
    if not _TRAINED:
        _TRAINED.append(train_model(load_dir(DATA_DIR)))
    return _TRAINED[0]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_scores_as_the_pipeline(text: str) -> None:
    model = _trained()
    scorer = model.scorer
    folded = read(text).folded
    expected = model.pipeline.predict_proba([folded])[0]
    assert np.abs(scorer.probabilities(folded) - expected).max() < 1e-9


def test_parse_ranks_as_the_pipeline(engine: EmbeddedEngine, model: EmbeddedModel) -> None:
    for text in ("con toi bi ban danh o truong", "", "e muon hoi ve hoc phi", "zzz"):
        result = engine.parse(text)
        probabilities = model.pipeline.predict_proba([text])[0]
        best = int(probabilities.argmax())
        assert result.intent == model.pipeline.classes_[best]
        assert result.confidence == pytest.approx(probabilities[best], abs=1e-12)


def test_a_scorer_that_disagrees_is_detected(model: EmbeddedModel, scorer: CompiledScorer) -> None:
    texts = ["con toi bi danh", "hoc phi"]
    assert scorer.agrees_with(model.pipeline, texts)
    broken = compile_pipeline(model.pipeline)
    assert broken is not None
    broken._weights[:] = 0.0  # a wrong scorer: every class equally likely
    assert not broken.agrees_with(model.pipeline, texts)


def test_pipelines_of_another_shape_are_not_compiled() -> None:
    texts = ["mot hai ba", "bon nam sau", "bay tam chin", "muoi mot"]
    binary = Pipeline([("tfidf", TfidfVectorizer()), ("clf", LogisticRegression())]).fit(
        texts, ["a", "b", "a", "b"]
    )
    assert compile_pipeline(binary) is None
    assert compile_pipeline(object()) is None
