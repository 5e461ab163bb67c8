"""Serving scores with NumPy alone (#18): the exported models give scikit-learn's own numbers.

`childsafe train` fits both models with scikit-learn and exports them to .npz files; the
server reads those back without importing scikit-learn or SciPy. Here each model is trained,
exported, loaded back from the file, and its probabilities compared with scikit-learn's on
the whole test corpus (NLU: training data and nlu/tests/test_nlu.yml; safety: the training
corpus, the blind corpus and the older held-out set). The subprocess tests check, through
Python's own import log, that `childsafe ask` and `childsafe serve` never import them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import numpy as np
import pytest

from handlers.safety import engine as engine_module
from handlers.safety import model as model_module
from handlers.safety.engine import prepare_for_model
from handlers.safety.evaluate import load_blind, load_triage_cases
from nlu.compiled import CompiledScorer, load_arrays, save_arrays
from nlu.embedded import EmbeddedEngine, EmbeddedModel, train_model
from nlu.rasa_data import DATA_DIR, load_dir, load_file
from nlu.text import read
from tests.processes import REPO, Server, server_env

HELD_OUT = REPO / "nlu" / "tests" / "test_nlu.yml"
TOLERANCE = 1e-10


@pytest.fixture(scope="module")
def nlu_model() -> EmbeddedModel:
    return train_model(load_dir(DATA_DIR))


def test_the_exported_intent_model_scores_as_scikit_learn(
    nlu_model: EmbeddedModel, tmp_path: Path
) -> None:
    path = tmp_path / "intent.npz"
    save_arrays(path, nlu_model.scorer.to_arrays())
    with path.open("rb") as fh:
        assert fh.read(2) == b"PK"  # a plain .npz (zip of .npy), no pickle
    loaded = CompiledScorer.from_arrays(load_arrays(path))
    examples = [*load_dir(DATA_DIR), *load_file(HELD_OUT)]
    texts = [read(e.text).folded for e in examples] + ["", "   ", "😭😭", "a", "x" * 4000]
    assert len(texts) > 1000
    expected = nlu_model.pipeline.predict_proba(texts)
    got = np.vstack([loaded.probabilities(t) for t in texts])
    assert loaded.classes == tuple(str(c) for c in nlu_model.pipeline.classes_)
    assert np.allclose(got, expected, rtol=0, atol=TOLERANCE)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()


def test_the_engine_serves_from_the_export_without_the_pipeline(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    trained = engine.load_or_train()
    assert trained.pipeline is not None
    (export,) = tmp_path.glob("embedded-*.npz")
    loaded = EmbeddedEngine(tmp_path).load_or_train()
    assert loaded.pipeline is None  # read back with NumPy alone
    assert loaded.intents == trained.intents
    for text in ("xin chao", "con toi bi ban danh o truong", "hoc phi mien giam"):
        assert np.array_equal(loaded.scorer.probabilities(text), trained.scorer.probabilities(text))
    assert export.stat().st_size < 10_000_000


@pytest.fixture(scope="module")
def safety_net() -> model_module.SafetyNet:
    return model_module.train(model_module.load_corpus(), prepare_for_model)


def _safety_texts() -> list[str]:
    """Every message of the safety corpora as the model reads it, whole and in windows."""
    messages = [e.text for e in model_module.load_examples()]
    messages += [c.text for c in load_blind()] + [c.text for c in load_triage_cases()]
    prepared = {prepare_for_model(m) for m in messages}
    for message in messages:
        reading = engine_module.read_for_safety(read(message).canonical)
        for window in engine_module._windows(reading.sense):
            prepared.add(engine_module._model_input(window, "?" in reading.lower))
    return [*sorted(prepared), "", "?", "😭"]


@pytest.mark.slow  # trains a model or serves for seconds
def test_the_exported_safety_model_scores_as_scikit_learn(
    safety_net: model_module.SafetyNet, tmp_path: Path
) -> None:
    path = tmp_path / "safety.npz"
    save_arrays(path, safety_net.to_arrays())
    loaded = model_module.SafetyNet.from_arrays("test", load_arrays(path))
    assert loaded.fitted is None
    texts = _safety_texts()
    assert len(texts) > 2000
    assert safety_net.fitted is not None
    union, urgency, kinds = safety_net.fitted
    features = union.transform(texts)
    expected_urgent = urgency.predict_proba(features)[:, 1]
    expected_kinds = kinds.predict_proba(features)
    got_urgent = np.array([loaded.p_urgent(t) for t in texts])
    got_kinds = np.array(
        [[loaded.kind_probabilities(t)[n] for n in loaded.kind_names] for t in texts]
    )
    assert loaded.kind_names == tuple(str(k) for k in kinds.classes_)
    assert np.allclose(got_urgent, expected_urgent, rtol=0, atol=TOLERANCE)
    assert ((got_urgent >= 0.5) == (expected_urgent >= 0.5)).all()
    assert np.allclose(got_kinds, expected_kinds, rtol=0, atol=TOLERANCE)
    assert (got_kinds.argmax(axis=1) == expected_kinds.argmax(axis=1)).all()


@pytest.mark.slow  # trains a model or serves for seconds
def test_a_tampered_safety_export_is_retrained(tmp_path: Path) -> None:
    store = model_module.NetStore(
        prepare=prepare_for_model,
        code_files=(Path(engine_module.__file__),),
        directory=tmp_path,
        self_check=("em muốn chết", "xin chào"),
    )
    net = store.load_or_train()
    (path,) = tmp_path.glob("safety-net-*.npz")
    arrays = load_arrays(path)
    arrays["urgency_intercept"] = arrays["urgency_intercept"] + 3.0
    save_arrays(path, arrays)
    again = store.load_or_train()  # disagrees with its own self-check: trained anew
    assert again.fitted is not None
    assert again.p_urgent(prepare_for_model("xin chào")) == net.p_urgent(
        prepare_for_model("xin chào")
    )


# ------------------------------------------------------------------ never imported to serve

HEAVY = ("sklearn", "scipy")


def _imported(log: str) -> set[str]:
    """Top-level packages named in a PYTHONPROFILEIMPORTTIME log."""
    names = set()
    for line in log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return server_env(tmp_path / "serve.db", **extra)


MESSAGE = "con tôi bị bạn đánh ở trường thì phải làm sao, em sợ lắm"


@pytest.mark.slow
def test_ask_never_imports_scikit_learn_once_the_models_are_exported(tmp_path: Path) -> None:
    ask = [sys.executable, "-m", "bot", "ask", MESSAGE]
    # the first run exports the models if the cache has none (then scikit-learn is allowed)
    subprocess.run(ask, cwd=tmp_path, env=_env(tmp_path), check=True, capture_output=True)
    run = subprocess.run(
        ask,
        cwd=tmp_path,
        env=_env(tmp_path, PYTHONPROFILEIMPORTTIME="1"),
        check=True,
        capture_output=True,
        text=True,
    )
    imported = _imported(run.stderr)
    assert {"numpy", "handlers", "nlu"} <= imported  # the log is real and complete
    assert not imported & set(HEAVY)
    assert '"kind"' in run.stdout


@pytest.mark.slow
def test_serve_never_imports_scikit_learn_once_the_models_are_exported(tmp_path: Path) -> None:
    warm = [sys.executable, "-m", "bot", "ask", "xin chào"]
    subprocess.run(warm, cwd=tmp_path, env=_env(tmp_path), check=True, capture_output=True)
    server = Server(_env(tmp_path, PYTHONPROFILEIMPORTTIME="1"), tmp_path)
    try:
        server.wait_ready()
        response = httpx.post(f"{server.url}/api/chat", json={"text": MESSAGE}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()
    finally:
        server.stop()
    imported = _imported(server.log.read_text(encoding="utf-8", errors="replace"))
    assert {"numpy", "handlers", "nlu", "uvicorn"} <= imported
    assert not imported & set(HEAVY)
    assert os.environ.get("PYTHONPROFILEIMPORTTIME") is None  # not leaked into this process
