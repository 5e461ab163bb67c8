"""The learned half of the safety layer: p(urgent) and the likely kind of danger.

The written rules are precise but miss paraphrases nobody wrote a pattern for. This model
reads the training corpus (`handlers/safety/data/train.yml`: entries ``{text, urgent, danger,
kind}``, hard negatives of every kind included) and generalises from its wording:

* **Features**: TF-IDF over the text as the rules read it (`prepare`, supplied by the caller:
  folded words, harmless-accent words kept apart in upper case, plus framing marks such as "a
  question", "a prevention topic", "happening now"): character n-grams within word
  boundaries (3-5, which survive typos, teen spelling and missing diacritics) and word uni- and
  bigrams.
* **Urgency head**: a binary logistic regression, p(urgent).
* **Kind head**: a multinomial logistic regression over the dangers of the urgent entries.

Training takes a few seconds (`childsafe train`); the fitted model is cached on disk under a
fingerprint of the corpus, the reading code and data, and this module's `MODEL_VERSION`, and
retrained when any of them changes. Scoring one message uses the fitted vocabularies and
coefficients directly, checked at load time against scikit-learn's own answer.

The thresholds that turn p(urgent) into a level live in `handlers.safety.engine` and are
chosen by cross-validation (`handlers.safety.cv`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from nlu.compiled import UnionFeatures

log = logging.getLogger(__name__)

MODEL_VERSION = "1"
DATA_FILE = Path(__file__).resolve().parent / "data" / "train.yml"
# Same default as `Settings.model_dir` (CHILDSAFE_MODEL_DIR); handlers do not read bot settings.
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "nlu"
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


def load_examples(path: Path = DATA_FILE) -> list[Example]:
    """The training corpus: a list of entries ``{text, urgent, danger, kind}``."""
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


def load_corpus(path: Path = DATA_FILE) -> Corpus:
    examples = load_examples(path)
    urgent = tuple((e.text, str(e.danger)) for e in examples if e.urgent)
    return Corpus(urgent=urgent, not_urgent=tuple(e.text for e in examples if not e.urgent))


def fingerprint(data_file: Path, code_files: Iterable[Path]) -> str:
    import sklearn

    digest = hashlib.sha256(f"{MODEL_VERSION}|{sklearn.__version__}|{REGULARISATION_C}".encode())
    for path in (data_file, Path(__file__), *code_files):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# ----------------------------------------------------------------------------- scoring


class SafetyNet:
    """The fitted model. `prepare` is not stored: callers pass text already prepared."""

    def __init__(self, fingerprint: str, union: Any, urgency: Any, kinds: Any) -> None:
        self.fingerprint = fingerprint
        self.union = union  # sklearn FeatureUnion
        self.urgency = urgency  # sklearn LogisticRegression, binary
        self.kinds = kinds  # sklearn LogisticRegression, multinomial
        self._features: UnionFeatures | None = None
        self._urgency_weights: FloatArray = np.zeros(0)
        self._kind_weights: FloatArray = np.zeros(0)

    def __getstate__(self) -> dict[str, Any]:
        # the gathered arrays are rebuilt by compile(); only the fitted parts are stored
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(str(k) for k in self.kinds.classes_)

    def compile(self) -> None:
        """Gather the coefficients for per-message scoring without scikit-learn."""
        features = UnionFeatures.from_union(self.union)
        if features is None:
            raise ValueError("the safety net's features are not a union of TfidfVectorizers")
        self._features = features
        self._urgency_weights = np.asarray(self.urgency.coef_[0], dtype=np.float64)
        self._kind_weights = np.array(self.kinds.coef_.T, dtype=np.float64, order="C")

    def p_urgent(self, prepared: str) -> float:
        if self._features is None:
            self.compile()
        assert self._features is not None
        columns, values = self._features.vector(prepared)
        decision = float(values @ self._urgency_weights[columns]) + float(
            self.urgency.intercept_[0]
        )
        return 1.0 / (1.0 + math.exp(-decision)) if decision > -700 else 0.0

    def kind_probabilities(self, prepared: str) -> dict[str, float]:
        if self._features is None:
            self.compile()
        assert self._features is not None
        columns, values = self._features.vector(prepared)
        decision = np.asarray(self.kinds.intercept_, dtype=np.float64).copy()
        if len(columns):
            decision += values @ self._kind_weights[columns]
        decision -= decision.max()
        np.exp(decision, out=decision)
        decision /= decision.sum()
        return {name: float(p) for name, p in zip(self.kind_names, decision, strict=True)}

    def agrees_with_sklearn(self, prepared: Sequence[str], tolerance: float = 1e-9) -> bool:
        if not prepared:
            return True
        features = self.union.transform(list(prepared))
        urgent = self.urgency.predict_proba(features)[:, 1]
        kinds = self.kinds.predict_proba(features)
        for i, text in enumerate(prepared):
            if abs(self.p_urgent(text) - float(urgent[i])) > tolerance:
                return False
            got = self.kind_probabilities(text)
            if any(
                abs(got[n] - float(kinds[i][j])) > tolerance for j, n in enumerate(self.kind_names)
            ):
                return False
        return True


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
    net = SafetyNet(fingerprint=fingerprint_, union=union, urgency=urgency, kinds=kinds)
    net.compile()
    return net


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
        data_file: Path = DATA_FILE,
        directory: Path | None = None,
        self_check: Sequence[str] = (),
    ) -> None:
        self.prepare = prepare
        self.code_files = tuple(code_files)
        self.data_file = data_file
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
        return (self.directory or cache_dir()) / f"{CACHE_PREFIX}{fingerprint_}.pkl"

    def load_or_train(self, force: bool = False) -> SafetyNet:
        fingerprint_ = fingerprint(self.data_file, self.code_files)
        path = self.path(fingerprint_)
        if path.exists() and not force:
            try:
                with path.open("rb") as fh:
                    cached: Any = pickle.load(fh)  # our own cache file, keyed by content hash
                if isinstance(cached, SafetyNet) and cached.fingerprint == fingerprint_:
                    cached.compile()
                    if cached.agrees_with_sklearn([self.prepare(t) for t in self.self_check]):
                        return cached
                    log.warning("safety model cache %s disagrees with itself; retraining", path)
            except Exception:
                log.warning("safety model cache %s unreadable; retraining", path)
        net = train(load_corpus(self.data_file), self.prepare, fingerprint_)
        if not net.agrees_with_sklearn([self.prepare(t) for t in self.self_check]):
            raise RuntimeError("the compiled safety model disagrees with scikit-learn")
        self._save(net, path)
        return net

    def retrain(self) -> SafetyNet:
        with self._lock:
            self._net = self.load_or_train(force=True)
            self._failed = False
        return self._net

    @staticmethod
    def _save(net: SafetyNet, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(net, fh)
            tmp.replace(path)
            for old in path.parent.glob(f"{CACHE_PREFIX}*.pkl"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            log.warning("could not write the safety model cache to %s; continuing in memory", path)
