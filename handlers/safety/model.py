"""The learned half of the safety layer: p(urgent) and the likely kind of danger.

The written rules are precise but miss paraphrases nobody wrote a pattern for. This model
reads the training corpus (every `handlers/safety/data/train*.yml`: `train.yml` and
`train_more.yml`, entries ``{text, urgent, danger, kind}``, hard negatives of every kind
included) and generalises from its wording:

* **Features**: TF-IDF over the text as the rules read it (`prepare`, supplied by the caller:
  folded words, harmless-accent words kept apart in upper case, plus framing marks such as "a
  question", "a prevention topic", "happening now"): character n-grams within word
  boundaries (3-5, which survive typos, teen spelling and missing diacritics) and word uni- and
  bigrams.
* **Urgency head**: a binary logistic regression, p(urgent).
* **Kind head**: a multinomial logistic regression over the dangers of the urgent entries.

Training takes a few seconds (`childsafe train`, scikit-learn); the fitted model is exported
to a NumPy file (vocabularies, idf weights, coefficients, intercepts; no pickle) under a
fingerprint of the corpus, the reading code and data, and this module's `MODEL_VERSION`, and
retrained when any of them changes. Scoring uses NumPy alone (`nlu.compiled`): serving never
imports scikit-learn. The export carries scikit-learn's own p(urgent) for a few self-check
texts, compared with the NumPy score when it is loaded.

The thresholds that turn p(urgent) into a level live in `handlers.safety.engine` and are
chosen by cross-validation (`handlers.safety.cv`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from nlu.compiled import UnionFeatures, load_arrays, save_arrays

log = logging.getLogger(__name__)

MODEL_VERSION = "2"
DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILE = DATA_DIR / "train.yml"
# Same default as `Settings.model_dir` (CHILDSAFE_MODEL_DIR); handlers do not read bot settings.
DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "nlu"
CACHE_PREFIX = "safety-net-"
REGULARISATION_C = 10.0

FloatArray = NDArray[np.float64]
Prepare = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Corpus:
    urgent: tuple[tuple[str, str], ...]  # (text, kind)
    not_urgent: tuple[str, ...]

    @property
    def texts(self) -> list[str]:
        return [text for text, _ in self.urgent] + list(self.not_urgent)

    @property
    def labels(self) -> list[int]:
        return [1] * len(self.urgent) + [0] * len(self.not_urgent)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    urgent: bool
    danger: str | None  # a Danger value; for a hard negative, the danger it names (or None)
    kind: str | None  # what kind of hard negative (past, general, idiom, ...) or None


CorpusFiles = Path | Sequence[Path] | None


def data_files(directory: Path = DATA_DIR) -> tuple[Path, ...]:
    """The training corpus's files: every `train*.yml` in the data directory, by name."""
    return tuple(sorted(directory.glob("train*.yml")))


def _files(paths: CorpusFiles) -> tuple[Path, ...]:
    if paths is None:
        return data_files()
    return (paths,) if isinstance(paths, Path) else tuple(paths)


def load_examples(paths: CorpusFiles = None) -> list[Example]:
    """The training corpus (all of `data_files()` unless told): entries
    ``{text, urgent, danger, kind}``."""
    return [example for path in _files(paths) for example in _load_file(path)]


def _load_file(path: Path) -> list[Example]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("examples")
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of {{text, urgent, danger, kind}} entries")
    out = []
    for entry in data:
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise ValueError(f"{path}: bad entry {entry!r}")
        urgent = entry.get("urgent")
        if not isinstance(urgent, bool):
            raise ValueError(f"{path}: `urgent` must be true or false: {entry!r}")
        danger = entry.get("danger")
        if urgent and not danger:
            raise ValueError(f"{path}: an urgent entry needs its danger: {entry!r}")
        kind = entry.get("kind")
        out.append(
            Example(
                entry["text"],
                urgent,
                str(danger) if danger else None,
                str(kind) if kind else None,
            )
        )
    return out


def load_corpus(paths: CorpusFiles = None) -> Corpus:
    examples = load_examples(paths)
    urgent = tuple((e.text, str(e.danger)) for e in examples if e.urgent)
    return Corpus(urgent=urgent, not_urgent=tuple(e.text for e in examples if not e.urgent))


def fingerprint(data_files_: CorpusFiles, code_files: Iterable[Path]) -> str:
    from nlu.embedded import sklearn_version

    digest = hashlib.sha256(f"{MODEL_VERSION}|{sklearn_version()}|{REGULARISATION_C}".encode())
    for path in (*_files(data_files_), Path(__file__), *code_files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ----------------------------------------------------------------------------- scoring


class SafetyNet:
    """The fitted model as NumPy arrays. `prepare` is not stored: callers pass prepared text.

    `fitted` holds scikit-learn's (union, urgency, kinds) when trained in this process (to
    check the NumPy scores against); a model loaded from its export has none."""

    def __init__(
        self,
        fingerprint: str,
        features: UnionFeatures,
        urgency_weights: FloatArray,
        urgency_intercept: float,
        kind_weights: FloatArray,
        kind_intercept: FloatArray,
        kind_names: Sequence[str],
        fitted: tuple[Any, Any, Any] | None = None,
    ) -> None:
        self.fingerprint = fingerprint
        self._features = features
        self._urgency_weights = urgency_weights
        self._urgency_intercept = float(urgency_intercept)
        self._kind_weights = kind_weights  # (n_features, n_kinds)
        self._kind_intercept = kind_intercept
        self._kind_names = tuple(kind_names)
        self.fitted = fitted
        if urgency_weights.shape != (features.size,) or kind_weights.shape != (
            features.size,
            len(self._kind_names),
        ):
            raise ValueError("the safety model's shapes do not fit together")

    @classmethod
    def from_fitted(cls, fingerprint: str, union: Any, urgency: Any, kinds: Any) -> SafetyNet:
        features = UnionFeatures.from_union(union)
        if features is None:
            raise ValueError("the safety net's features are not a union of TfidfVectorizers")
        return cls(
            fingerprint,
            features,
            np.array(urgency.coef_[0], dtype=np.float64),
            float(urgency.intercept_[0]),
            np.array(kinds.coef_.T, dtype=np.float64, order="C"),
            np.array(kinds.intercept_, dtype=np.float64),
            [str(k) for k in kinds.classes_],
            fitted=(union, urgency, kinds),
        )

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        names = "\n".join(self._kind_names).encode("utf-8")
        return {
            **self._features.to_arrays("features_"),
            "urgency_weights": self._urgency_weights,
            "urgency_intercept": np.array([self._urgency_intercept]),
            "kind_weights": self._kind_weights,
            "kind_intercept": self._kind_intercept,
            "kind_names": np.frombuffer(names, dtype=np.uint8),
        }

    @classmethod
    def from_arrays(cls, fingerprint: str, arrays: dict[str, NDArray[Any]]) -> SafetyNet:
        names = bytes(np.asarray(arrays["kind_names"], dtype=np.uint8)).decode("utf-8")
        return cls(
            fingerprint,
            UnionFeatures.from_arrays(arrays, "features_"),
            np.asarray(arrays["urgency_weights"], dtype=np.float64),
            float(arrays["urgency_intercept"][0]),
            np.ascontiguousarray(arrays["kind_weights"], dtype=np.float64),
            np.asarray(arrays["kind_intercept"], dtype=np.float64),
            names.split("\n"),
        )

    @property
    def kind_names(self) -> tuple[str, ...]:
        return self._kind_names

    def p_urgent(self, prepared: str) -> float:
        columns, values = self._features.vector(prepared)
        decision = float(values @ self._urgency_weights[columns]) + self._urgency_intercept
        return _sigmoid(decision)

    def p_urgent_spans(
        self,
        words: Sequence[str],
        spans: Sequence[tuple[int, int]],
        tails: Sequence[Sequence[str]],
    ) -> list[float]:
        """p(urgent) of many overlapping windows of one text at once: window j is
        `" ".join([*words[s:e], *tails[j]])` for `(s, e) = spans[j]`; the same as `p_urgent`
        of each window's text, each word's features extracted once (#18)."""
        rows, columns, values = self._features.span_vectors(words, spans, tails)
        decisions = np.bincount(
            rows, weights=values * self._urgency_weights[columns], minlength=len(spans)
        )
        return [_sigmoid(float(d) + self._urgency_intercept) for d in decisions]

    def kind_probabilities(self, prepared: str) -> dict[str, float]:
        columns, values = self._features.vector(prepared)
        decision = self._kind_intercept.copy()
        if len(columns):
            decision += values @ self._kind_weights[columns]
        decision -= decision.max()
        np.exp(decision, out=decision)
        decision /= decision.sum()
        return {name: float(p) for name, p in zip(self.kind_names, decision, strict=True)}

    def agrees_with_sklearn(self, prepared: Sequence[str], tolerance: float = 1e-9) -> bool:
        """Do the NumPy scores equal scikit-learn's? Only for a model trained in this process."""
        if self.fitted is None:
            raise ValueError("no scikit-learn model to compare with (loaded from its export)")
        if not prepared:
            return True
        union, urgency_model, kinds_model = self.fitted
        features = union.transform(list(prepared))
        urgent = urgency_model.predict_proba(features)[:, 1]
        kinds = kinds_model.predict_proba(features)
        for i, text in enumerate(prepared):
            if abs(self.p_urgent(text) - float(urgent[i])) > tolerance:
                return False
            got = self.kind_probabilities(text)
            if any(
                abs(got[n] - float(kinds[i][j])) > tolerance for j, n in enumerate(self.kind_names)
            ):
                return False
        return True


def _sigmoid(decision: float) -> float:
    return 1.0 / (1.0 + math.exp(-decision)) if decision > -700 else 0.0


def _union() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    lowercase=False,
                    token_pattern=r"(?u)\b\w+\b",
                ),
            ),
        ]
    )


def _classifier() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=REGULARISATION_C, max_iter=3000, class_weight="balanced")


def fit_urgency(texts: Sequence[str], labels: Sequence[int]) -> tuple[Any, Any]:
    """(feature union, binary classifier) fitted on prepared texts."""
    union = _union()
    features = union.fit_transform(list(texts))
    return union, _classifier().fit(features, list(labels))


def train(corpus: Corpus, prepare: Prepare, fingerprint_: str = "adhoc") -> SafetyNet:
    texts = [prepare(text) for text in corpus.texts]
    labels = corpus.labels
    if len(set(labels)) < 2:
        raise ValueError("the safety net needs urgent and non-urgent examples")
    union, urgency = fit_urgency(texts, labels)
    urgent_rows = [i for i, label in enumerate(labels) if label == 1]
    kind_labels = [kind for _, kind in corpus.urgent]
    if len(set(kind_labels)) < 3:
        raise ValueError("the kind model needs at least three kinds of danger")
    kinds = _classifier().fit(union.transform([texts[i] for i in urgent_rows]), kind_labels)
    return SafetyNet.from_fitted(fingerprint_, union, urgency, kinds)


# ----------------------------------------------------------------------------- caching


def cache_dir() -> Path:
    configured = os.environ.get("CHILDSAFE_MODEL_DIR")
    return Path(configured) if configured else DEFAULT_CACHE_DIR


class NetStore:
    """Loads the net from the cache or trains it, once; thread-safe."""

    def __init__(
        self,
        prepare: Prepare,
        code_files: Sequence[Path],
        data_file: CorpusFiles = None,
        directory: Path | None = None,
        self_check: Sequence[str] = (),
    ) -> None:
        self.prepare = prepare
        self.code_files = tuple(code_files)
        self.data_file = _files(data_file)  # all of data_files() unless told
        self.directory = directory
        self.self_check = tuple(self_check)
        self._net: SafetyNet | None = None
        self._failed = False
        self._lock = threading.Lock()

    def get(self) -> SafetyNet | None:
        """The net, or None when it cannot be built (logged once; the rules still run)."""
        if self._net is None and not self._failed:
            with self._lock:
                if self._net is None and not self._failed:
                    try:
                        self._net = self.load_or_train()
                    except Exception:
                        self._failed = True
                        log.exception("safety model unavailable; the rules run alone")
        return self._net

    def path(self, fingerprint_: str) -> Path:
        return (self.directory or cache_dir()) / f"{CACHE_PREFIX}{fingerprint_}.npz"

    def load_or_train(self, force: bool = False) -> SafetyNet:
        fingerprint_ = fingerprint(self.data_file, self.code_files)
        path = self.path(fingerprint_)
        if path.exists() and not force:
            try:
                arrays = load_arrays(path)
                cached = SafetyNet.from_arrays(fingerprint_, arrays)
                if self._agrees_with_export(cached, arrays):
                    return cached
                log.warning("safety model export %s disagrees with itself; retraining", path)
            except Exception:
                log.warning("safety model export %s unreadable; retraining", path)
        else:
            log.warning("safety: no exported model at %s; training one (scikit-learn)...", path)
        started = time.perf_counter()
        net = train(load_corpus(self.data_file), self.prepare, fingerprint_)
        if not net.agrees_with_sklearn([self.prepare(t) for t in self.self_check]):
            raise RuntimeError("the NumPy safety model disagrees with scikit-learn")
        self._save(net, path)
        log.warning(
            "safety: trained the model in %.1f s; exported to %s",
            time.perf_counter() - started,
            path,
        )
        return net

    def _checks(self, net: SafetyNet) -> FloatArray:
        return np.array([net.p_urgent(self.prepare(t)) for t in self.self_check])

    def _agrees_with_export(self, net: SafetyNet, arrays: dict[str, NDArray[Any]]) -> bool:
        """The self-check texts score as they did, with scikit-learn, when exported."""
        expected = arrays.get("self_check_p_urgent")
        if expected is None or expected.shape != (len(self.self_check),):
            return False
        return bool(np.allclose(self._checks(net), expected, rtol=0, atol=1e-9))

    def retrain(self) -> SafetyNet:
        with self._lock:
            self._net = self.load_or_train(force=True)
            self._failed = False
        return self._net

    def _save(self, net: SafetyNet, path: Path) -> None:
        assert net.fitted is not None
        union, urgency, _ = net.fitted
        prepared = [self.prepare(t) for t in self.self_check]
        reference = (
            urgency.predict_proba(union.transform(prepared))[:, 1] if prepared else np.zeros(0)
        )
        try:
            save_arrays(path, {**net.to_arrays(), "self_check_p_urgent": reference})
            for old in path.parent.glob(f"{CACHE_PREFIX}*"):
                if old != path and old.suffix in (".npz", ".pkl"):
                    old.unlink(missing_ok=True)
        except OSError:
            log.warning("could not write the safety model to %s; continuing in memory", path)
