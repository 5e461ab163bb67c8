"""The embedded model's arithmetic for one message at a time, without scikit-learn's overhead.

`Pipeline.predict_proba([text])` spends most of its ~3 ms per call on input validation,
joblib dispatch inside `FeatureUnion`, sparse-matrix construction and dataframe checks,
not on the model: for one short message the TF-IDF and the logistic regression are a few
dozen multiply-adds per class. `CompiledScorer` does only those, from the fitted pipeline's
own parts (each vectorizer's analyzer, vocabulary and idf; the classifier's coefficients):

    counts of the analyzer's n-grams in the vocabulary → 1 + log(count) (sublinear tf)
    → × idf → L2-normalised per vectorizer → concatenated → coef · x + intercept → softmax

which is exactly what the pipeline computes (summation order aside: the results agree to
about 1e-12). The analyzers (`char_wb` and `word` n-grams, with the vectorizer's lowercasing
and token pattern) are reproduced here in plain Python, so a scorer exported to an .npz file
(`to_arrays`, `save_arrays`: settings as JSON, vocabularies, idf, coefficients; no pickle)
is read back and used with NumPy alone: serving never imports scikit-learn or SciPy (#18).
`compile_pipeline` returns None for a pipeline of another shape, and training checks the
scorer with `CompiledScorer.agrees_with` against the pipeline itself before exporting it.
"""

from __future__ import annotations

import json
import math
import os
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


_WHITE_SPACES = re.compile(r"\s\s+")
SUPPORTED_ANALYZERS = ("char_wb", "word")


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char_wb` analyzer: n-grams inside space-padded words."""
    grams: list[str] = []
    extend = grams.extend
    for word in _WHITE_SPACES.sub(" ", text).split():
        extend(_word_grams(word, low, high))
    return grams


@lru_cache(maxsize=4096)
def _word_grams(word: str, low: int, high: int) -> tuple[str, ...]:
    """One word's n-grams, in scikit-learn's order. Cached: the safety net scores a long
    message in overlapping windows, so most words are read several times (#18)."""
    grams: list[str] = []
    append = grams.append
    w = " " + word + " "
    length = len(w)
    for n in range(low, high + 1):
        offset = 0
        append(w[offset : offset + n])
        while offset + n < length:
            offset += 1
            append(w[offset : offset + n])
        if offset == 0:  # a short word (shorter than n) counts once
            break
    return tuple(grams)


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's `_word_ngrams` without stop words."""
    if high == 1:
        return tokens
    grams = list(tokens) if low == 1 else []
    low = max(low, 2)
    count = len(tokens)
    for n in range(low, min(high + 1, count + 1)):
        for i in range(count - n + 1):
            grams.append(" ".join(tokens[i : i + n]))
    return grams


def make_analyzer(
    analyzer: str, ngram_range: tuple[int, int], lowercase: bool, token_pattern: str
) -> Callable[[str], list[str]]:
    """The analyzer a TfidfVectorizer with these settings builds (no accent stripping, no
    stop words, no custom preprocessor or tokenizer), in plain Python."""
    low, high = ngram_range
    if analyzer == "char_wb":

        def analyze_chars(text: str) -> list[str]:
            return char_wb_ngrams(text.lower() if lowercase else text, low, high)

        return analyze_chars
    if analyzer == "word":
        pattern = re.compile(token_pattern)
        if pattern.groups > 1:
            raise ValueError("a token pattern with more than one group")

        def analyze_words(text: str) -> list[str]:
            tokens = pattern.findall(text.lower() if lowercase else text)
            return word_ngrams(tokens, low, high)

        return analyze_words
    raise ValueError(f"unsupported analyzer {analyzer!r}")


@dataclass(frozen=True, slots=True)
class _Block:
    """One TfidfVectorizer of the feature union, placed at `offset` in the feature vector."""

    analyzer: str
    ngram_range: tuple[int, int]
    lowercase: bool
    token_pattern: str
    vocabulary: dict[str, int]
    idf: FloatArray | None
    sublinear: bool
    norm: str | None
    offset: int
    analyze: Callable[[str], list[str]] = field(compare=False, repr=False)

    @classmethod
    def build(
        cls,
        analyzer: str,
        ngram_range: tuple[int, int],
        lowercase: bool,
        token_pattern: str,
        vocabulary: dict[str, int],
        idf: FloatArray | None,
        sublinear: bool,
        norm: str | None,
        offset: int,
    ) -> _Block:
        analyze = make_analyzer(analyzer, ngram_range, lowercase, token_pattern)
        return cls(
            analyzer,
            ngram_range,
            lowercase,
            token_pattern,
            vocabulary,
            idf,
            sublinear,
            norm,
            offset,
            analyze,
        )


def _text_array(text: str) -> NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: NDArray[Any]) -> str:
    return bytes(np.asarray(array, dtype=np.uint8)).decode("utf-8")


class UnionFeatures:
    """The sparse TF-IDF vector of one text, as a fitted FeatureUnion of TfidfVectorizers
    computes it (per block: counts → sublinear tf → × idf → norm; blocks side by side)."""

    def __init__(self, blocks: Sequence[_Block]) -> None:
        self.blocks = tuple(blocks)
        last = self.blocks[-1] if self.blocks else None
        self.size = last.offset + len(last.vocabulary) if last else 0
        # per block: a word -> its in-vocabulary columns (char_wb) or tokens (word analyzer)
        self._word_cache: tuple[dict[str, Any], ...] = tuple({} for _ in self.blocks)
        self.by_words = all(_splits_by_word(block) for block in self.blocks)

    @classmethod
    def from_union(cls, union: Any) -> UnionFeatures | None:
        """None unless every part of the union is a plain (non-binary) TfidfVectorizer whose
        analyzer this module reproduces. Imports scikit-learn: used when training only."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        if getattr(union, "transformer_weights", None) is not None:
            return None
        blocks: list[_Block] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            if not isinstance(vectorizer, TfidfVectorizer) or vectorizer.binary:
                return None
            if (
                vectorizer.analyzer not in SUPPORTED_ANALYZERS
                or vectorizer.input != "content"
                or vectorizer.preprocessor is not None
                or vectorizer.tokenizer is not None
                or vectorizer.stop_words is not None
                or vectorizer.strip_accents
                or vectorizer.dtype not in (np.float64, float)
            ):
                return None
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            idf = np.asarray(vectorizer.idf_, dtype=np.float64) if vectorizer.use_idf else None
            blocks.append(
                _Block.build(
                    analyzer=str(vectorizer.analyzer),
                    ngram_range=(int(vectorizer.ngram_range[0]), int(vectorizer.ngram_range[1])),
                    lowercase=bool(vectorizer.lowercase),
                    token_pattern=str(vectorizer.token_pattern),
                    vocabulary=vocabulary,
                    idf=idf,
                    sublinear=bool(vectorizer.sublinear_tf),
                    norm=vectorizer.norm,
                    offset=offset,
                )
            )
            offset += len(vocabulary)
        return cls(blocks)

    def to_arrays(self, prefix: str) -> dict[str, NDArray[Any]]:
        """Plain arrays for `numpy.savez` (no pickled objects): per block its settings as
        JSON, its vocabulary as newline-joined UTF-8 terms in column order, and its idf."""
        arrays: dict[str, NDArray[Any]] = {}
        for i, block in enumerate(self.blocks):
            settings = {
                "analyzer": block.analyzer,
                "ngram_range": list(block.ngram_range),
                "lowercase": block.lowercase,
                "token_pattern": block.token_pattern,
                "sublinear": block.sublinear,
                "norm": block.norm,
                "use_idf": block.idf is not None,
            }
            terms = sorted(block.vocabulary, key=block.vocabulary.__getitem__)
            if any("\n" in term for term in terms):
                raise ValueError("a vocabulary term holds a newline")
            arrays[f"{prefix}block{i}_settings"] = _text_array(json.dumps(settings))
            arrays[f"{prefix}block{i}_terms"] = _text_array("\n".join(terms))
            if block.idf is not None:
                arrays[f"{prefix}block{i}_idf"] = block.idf
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, NDArray[Any]], prefix: str) -> UnionFeatures:
        blocks: list[_Block] = []
        offset = 0
        i = 0
        while f"{prefix}block{i}_settings" in arrays:
            settings = json.loads(_array_text(arrays[f"{prefix}block{i}_settings"]))
            joined = _array_text(arrays[f"{prefix}block{i}_terms"])
            terms = joined.split("\n") if joined else []
            idf = (
                np.asarray(arrays[f"{prefix}block{i}_idf"], dtype=np.float64)
                if settings["use_idf"]
                else None
            )
            if idf is not None and len(idf) != len(terms):
                raise ValueError("idf and vocabulary differ in length")
            low, high = settings["ngram_range"]
            blocks.append(
                _Block.build(
                    analyzer=settings["analyzer"],
                    ngram_range=(int(low), int(high)),
                    lowercase=bool(settings["lowercase"]),
                    token_pattern=str(settings["token_pattern"]),
                    vocabulary={term: column for column, term in enumerate(terms)},
                    idf=idf,
                    sublinear=bool(settings["sublinear"]),
                    norm=settings["norm"],
                    offset=offset,
                )
            )
            offset += len(terms)
            i += 1
        if not blocks:
            raise ValueError(f"no feature blocks under {prefix!r}")
        return cls(blocks)

    def vector(self, text: str) -> tuple[NDArray[np.intp], FloatArray]:
        """(columns, values) of the non-zero features of `text`."""
        columns: list[int] = []
        counts: list[int] = []
        ends: list[int] = []
        for block, cache in zip(self.blocks, self._word_cache, strict=True):
            if block.analyzer == "char_wb":
                # each word's in-vocabulary columns are cut and looked up once, then kept
                # (#18); counted in the order of their first occurrence, as the n-grams were
                found: list[int] = []
                for word in text.split():
                    word_columns = cache.get(word)
                    if word_columns is None:
                        word_columns = self._char_columns(block, cache, word)
                    found.extend(word_columns)
                for column, count in Counter(found).items():
                    columns.append(column)
                    counts.append(count)
            else:
                # count the n-grams first (in C), then look each distinct one up once
                vocabulary = block.vocabulary
                for gram, count in Counter(block.analyze(text)).items():
                    index = vocabulary.get(gram)
                    if index is not None:
                        columns.append(index + block.offset)
                        counts.append(count)
            ends.append(len(columns))
        if not columns:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        cols = np.array(columns, dtype=np.intp)
        values = np.array(counts, dtype=np.float64)
        start = 0
        for block, end in zip(self.blocks, ends, strict=True):
            if end == start:
                continue
            vals = values[start:end]
            if block.sublinear:
                vals = np.log(vals) + 1.0
            if block.idf is not None:
                vals *= block.idf[cols[start:end] - block.offset]
            if block.norm == "l2":
                vals /= math.sqrt(float(vals @ vals))
            elif block.norm == "l1":
                vals /= float(np.abs(vals).sum())
            values[start:end] = vals
            start = end
        return cols, values

    def span_vectors(
        self,
        words: Sequence[str],
        spans: Sequence[tuple[int, int]],
        tails: Sequence[Sequence[str]],
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
        """The vectors of many overlapping texts at once, as sparse (rows, columns, values):
        row j is `vector(" ".join([*words[s:e], *tails[j]]))` for `(s, e) = spans[j]`.

        Each word's features are extracted once, however many spans hold it (#18): the
        char n-grams of each word and the word n-grams of the whole sequence, each tagged
        with the first and last word it reads; a span counts those lying inside it, plus the
        n-grams of its own tail (and those crossing from its last words into the tail). The
        counts, sublinear tf, idf and norms of all the spans are then one NumPy pass. Equal
        to `vector` per text up to the order of floating-point sums (about 1e-15)."""
        count = len(spans)
        if count != len(tails):
            raise ValueError("one tail per span")
        if not self.by_words:
            return self._span_vectors_one_by_one(words, spans, tails)
        first: list[int] = []
        last: list[int] = []
        columns: list[int] = []
        tail_rows: list[int] = []
        tail_columns: list[int] = []
        for block, cache in zip(self.blocks, self._word_cache, strict=True):
            if block.analyzer == "char_wb":
                for i, word in enumerate(words):
                    found = cache.get(word)
                    if found is None:
                        found = self._char_columns(block, cache, word)
                    if found:
                        first.extend([i] * len(found))
                        last.extend([i] * len(found))
                        columns.extend(found)
                for j, tail in enumerate(tails):
                    for word in tail:
                        found = cache.get(word)
                        if found is None:
                            found = self._char_columns(block, cache, word)
                        tail_rows.extend([j] * len(found))
                        tail_columns.extend(found)
            else:
                self._word_block_spans(
                    block,
                    cache,
                    words,
                    spans,
                    tails,
                    (first, last, columns),
                    tail_rows,
                    tail_columns,
                )
        return self._count(
            count,
            np.array(first, dtype=np.intp),
            np.array(last, dtype=np.intp),
            np.array(columns, dtype=np.intp),
            np.array(tail_rows, dtype=np.intp),
            np.array(tail_columns, dtype=np.intp),
            spans,
        )

    def _char_columns(self, block: _Block, cache: dict[str, Any], word: str) -> tuple[int, ...]:
        vocabulary = block.vocabulary
        low, high = block.ngram_range
        grams = _word_grams(word.lower() if block.lowercase else word, low, high)
        found = tuple(
            index + block.offset for g in grams if (index := vocabulary.get(g)) is not None
        )
        if len(cache) >= _WORD_CACHE_SIZE:
            cache.clear()
        cache[word] = found
        return found

    def _tokens(self, block: _Block, cache: dict[str, Any], word: str) -> list[str]:
        tokens = cache.get(word)
        if tokens is None:
            tokens = re.findall(block.token_pattern, word.lower() if block.lowercase else word)
            if len(cache) >= _WORD_CACHE_SIZE:
                cache.clear()
            cache[word] = tokens
        return tokens

    def _word_block_spans(
        self,
        block: _Block,
        cache: dict[str, Any],
        words: Sequence[str],
        spans: Sequence[tuple[int, int]],
        tails: Sequence[Sequence[str]],
        out: tuple[list[int], list[int], list[int]],
        tail_rows: list[int],
        tail_columns: list[int],
    ) -> None:
        first, last, columns = out
        vocabulary = block.vocabulary
        offset = block.offset
        low, high = block.ngram_range
        tokens: list[str] = []
        token_word: list[int] = []
        for i, word in enumerate(words):
            found = self._tokens(block, cache, word)
            tokens.extend(found)
            token_word.extend([i] * len(found))
        for n in range(low, high + 1):
            for k in range(len(tokens) - n + 1):
                gram = tokens[k] if n == 1 else " ".join(tokens[k : k + n])
                index = vocabulary.get(gram)
                if index is not None:
                    first.append(token_word[k])
                    last.append(token_word[k + n - 1])
                    columns.append(index + offset)
        for j, ((start, end), tail) in enumerate(zip(spans, tails, strict=True)):
            tail_tokens = [t for word in tail for t in self._tokens(block, cache, word)]
            if not tail_tokens:
                continue
            stop = bisect_left(token_word, end)
            before = tokens[max(bisect_left(token_word, start), stop - (high - 1)) : stop]
            sequence = before + tail_tokens
            for n in range(low, high + 1):
                for k in range(max(0, len(before) - n + 1), len(sequence) - n + 1):
                    index = vocabulary.get(" ".join(sequence[k : k + n]))
                    if index is not None:
                        tail_rows.append(j)
                        tail_columns.append(index + offset)

    def _count(
        self,
        count: int,
        first: NDArray[np.intp],
        last: NDArray[np.intp],
        columns: NDArray[np.intp],
        tail_rows: NDArray[np.intp],
        tail_columns: NDArray[np.intp],
        spans: Sequence[tuple[int, int]],
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
        order = np.argsort(first, kind="stable")
        first, last, columns = first[order], last[order], columns[order]
        starts = np.fromiter((s for s, _ in spans), dtype=np.intp, count=count)
        ends = np.fromiter((e for _, e in spans), dtype=np.intp, count=count)
        lows = np.searchsorted(first, starts, side="left")
        highs = np.searchsorted(first, ends, side="left")
        lengths = np.maximum(highs - lows, 0)
        rows = np.repeat(np.arange(count, dtype=np.intp), lengths)
        taken = np.arange(len(rows), dtype=np.intp) - np.repeat(
            np.cumsum(lengths) - lengths, lengths
        )
        taken += np.repeat(lows, lengths)
        inside = last[taken] < ends[rows]  # an n-gram running past the span's end is not in it
        rows = np.concatenate((rows[inside], tail_rows))
        cols = np.concatenate((columns[taken[inside]], tail_columns))
        keys, counts = np.unique(rows.astype(np.int64) * self.size + cols, return_counts=True)
        rows = (keys // self.size).astype(np.intp)
        cols = (keys % self.size).astype(np.intp)
        values = counts.astype(np.float64)
        for block in self.blocks:
            end = block.offset + len(block.vocabulary)
            mask = (cols >= block.offset) & (cols < end)
            if not mask.any():
                continue
            block_rows = rows[mask]
            vals = values[mask]
            if block.sublinear:
                vals = np.log(vals) + 1.0
            if block.idf is not None:
                vals *= block.idf[cols[mask] - block.offset]
            if block.norm == "l2":
                vals /= np.sqrt(np.bincount(block_rows, weights=vals * vals, minlength=count))[
                    block_rows
                ]
            elif block.norm == "l1":
                vals /= np.bincount(block_rows, weights=np.abs(vals), minlength=count)[block_rows]
            values[mask] = vals
        return rows, cols, values

    def _span_vectors_one_by_one(
        self,
        words: Sequence[str],
        spans: Sequence[tuple[int, int]],
        tails: Sequence[Sequence[str]],
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], FloatArray]:
        rows: list[NDArray[np.intp]] = []
        columns: list[NDArray[np.intp]] = []
        values: list[FloatArray] = []
        for j, ((start, end), tail) in enumerate(zip(spans, tails, strict=True)):
            cols, vals = self.vector(" ".join([*words[start:end], *tail]))
            rows.append(np.full(len(cols), j, dtype=np.intp))
            columns.append(cols)
            values.append(vals)
        if not rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp), np.zeros(0)
        return np.concatenate(rows), np.concatenate(columns), np.concatenate(values)


_WORD_CACHE_SIZE = 20_000
# Token patterns that never match across a space: the tokens of a text are then its words'
# tokens one after the other, and a span's word n-grams can be cut from the whole sequence.
_WORDWISE_TOKEN_PATTERNS = frozenset({r"(?u)\b\w\w+\b", r"(?u)\b\w+\b", r"\b\w+\b", r"\b\w\w+\b"})


def _splits_by_word(block: _Block) -> bool:
    """Can a text's features be summed from its words' (and its word n-grams')?"""
    if block.analyzer == "char_wb":
        return True  # n-grams inside space-padded words by definition
    return block.analyzer == "word" and block.token_pattern in _WORDWISE_TOKEN_PATTERNS


class CompiledScorer:
    def __init__(
        self,
        features: UnionFeatures,
        weights: FloatArray,
        intercept: FloatArray,
        classes: Sequence[str] = (),
    ):
        self._features = features
        self._weights = weights  # (n_features, n_classes): one row per feature, gathered
        self._intercept = intercept
        self.classes = tuple(classes)

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        return {
            **self._features.to_arrays("features_"),
            "weights": self._weights,
            "intercept": self._intercept,
            "classes": _text_array("\n".join(self.classes)),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, NDArray[Any]]) -> CompiledScorer:
        features = UnionFeatures.from_arrays(arrays, "features_")
        weights = np.ascontiguousarray(arrays["weights"], dtype=np.float64)
        intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        classes = _array_text(arrays["classes"]).split("\n")
        if weights.shape != (features.size, len(classes)) or intercept.shape != (len(classes),):
            raise ValueError("the exported model's shapes do not fit together")
        return cls(features, weights, intercept, classes)

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
    classes = [str(c) for c in classifier.classes_]
    return CompiledScorer(features, weights, intercept, classes)


def save_arrays(path: Path, arrays: Mapping[str, NDArray[Any]]) -> None:
    """Write `arrays` to `path` (.npz, compressed, no pickled objects), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)


def load_arrays(path: Path) -> dict[str, NDArray[Any]]:
    """The arrays of an .npz written by `save_arrays`; never unpickles anything."""
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}
