"""The embedded model's arithmetic for one message at a time, without scikit-learn's overhead.

`Pipeline.predict_proba([text])` spends most of its ~3 ms per call on input validation,
joblib dispatch inside `FeatureUnion`, sparse-matrix construction and dataframe checks,
not on the model: for one short message the TF-IDF and the logistic regression are a few
dozen multiply-adds per class. `CompiledScorer` does only those, from the fitted pipeline's
own parts (each vectorizer's analyzer, vocabulary and idf; the classifier's coefficients):

    counts of the analyzer's n-grams in the vocabulary → 1 + log(count) (sublinear tf)
    → × idf → L2-normalised per vectorizer → concatenated → coef · x + intercept → softmax

which is exactly what the pipeline computes (summation order aside: the results agree to
about 1e-12). `compile_pipeline` returns None for a pipeline of another shape, and
`CompiledScorer.agrees_with` checks it against the pipeline itself, so the engine falls back
to `predict_proba` rather than ever answering differently.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Block:
    """One TfidfVectorizer of the feature union, placed at `offset` in the feature vector."""

    analyze: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: FloatArray | None
    sublinear: bool
    norm: str | None
    offset: int


class UnionFeatures:
    """The sparse TF-IDF vector of one text, as a fitted FeatureUnion of TfidfVectorizers
    computes it (per block: counts → sublinear tf → × idf → norm; blocks side by side)."""

    def __init__(self, blocks: Sequence[_Block]) -> None:
        self.blocks = tuple(blocks)
        last = self.blocks[-1] if self.blocks else None
        self.size = last.offset + len(last.vocabulary) if last else 0

    @classmethod
    def from_union(cls, union: Any) -> UnionFeatures | None:
        """None unless every part of the union is a plain (non-binary) TfidfVectorizer."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        if getattr(union, "transformer_weights", None) is not None:
            return None
        blocks: list[_Block] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            if not isinstance(vectorizer, TfidfVectorizer) or vectorizer.binary:
                return None
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            idf = np.asarray(vectorizer.idf_, dtype=np.float64) if vectorizer.use_idf else None
            blocks.append(
                _Block(
                    analyze=vectorizer.build_analyzer(),
                    vocabulary=vocabulary,
                    idf=idf,
                    sublinear=bool(vectorizer.sublinear_tf),
                    norm=vectorizer.norm,
                    offset=offset,
                )
            )
            offset += len(vocabulary)
        return cls(blocks)

    def vector(self, text: str) -> tuple[NDArray[np.intp], FloatArray]:
        """(columns, values) of the non-zero features of `text`."""
        columns: list[NDArray[np.intp]] = []
        values: list[FloatArray] = []
        for block in self.blocks:
            vocabulary = block.vocabulary
            counts = Counter(
                index for gram in block.analyze(text) if (index := vocabulary.get(gram)) is not None
            )
            if not counts:
                continue
            cols = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            vals = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if block.sublinear:
                vals = np.log(vals) + 1.0
            if block.idf is not None:
                vals *= block.idf[cols]
            if block.norm == "l2":
                vals /= math.sqrt(float(vals @ vals))
            elif block.norm == "l1":
                vals /= float(np.abs(vals).sum())
            columns.append(cols + block.offset)
            values.append(vals)
        if not columns:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        return np.concatenate(columns), np.concatenate(values)


class CompiledScorer:
    def __init__(self, features: UnionFeatures, weights: FloatArray, intercept: FloatArray):
        self._features = features
        self._weights = weights  # (n_features, n_classes): one row per feature, gathered
        self._intercept = intercept

    def probabilities(self, text: str) -> FloatArray:
        """Class probabilities for one text, in the order of the classifier's `classes_`."""
        columns, values = self._features.vector(text)
        decision = self._intercept + values @ self._weights[columns]
        decision -= decision.max()
        np.exp(decision, out=decision)
        decision /= decision.sum()
        return decision

    def agrees_with(self, pipeline: Any, texts: Sequence[str], tolerance: float = 1e-9) -> bool:
        """Does this scorer give the pipeline's own probabilities on `texts`?"""
        if not texts:
            return True
        expected = pipeline.predict_proba(list(texts))
        got = np.vstack([self.probabilities(t) for t in texts])
        if got.shape != expected.shape:
            return False
        return bool(np.allclose(got, expected, rtol=0, atol=tolerance))


def compile_pipeline(pipeline: Any) -> CompiledScorer | None:
    """A scorer for Pipeline([FeatureUnion of TfidfVectorizers], multinomial LogisticRegression)
    as `nlu.embedded.build_pipeline` makes it; None for anything else."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 2:
        return None
    union, classifier = steps[0][1], steps[1][1]
    if not isinstance(union, FeatureUnion) or not isinstance(classifier, LogisticRegression):
        return None
    if len(classifier.classes_) <= 2:
        return None  # binary logistic regression uses another link; never built here
    features = UnionFeatures.from_union(union)
    if features is None:
        return None
    coef = np.asarray(classifier.coef_, dtype=np.float64)
    if coef.shape[1] != features.size:
        return None
    weights = np.array(coef.T, order="C", copy=True)  # never a view of the model's own
    intercept = np.asarray(classifier.intercept_, dtype=np.float64).copy()
    return CompiledScorer(features, weights, intercept)
