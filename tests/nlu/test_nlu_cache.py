"""The embedded model is cached by a fingerprint of the data and retrained when it changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nlu.embedded import EmbeddedEngine, data_fingerprint
from nlu.rasa_data import DATA_DIR


@pytest.mark.slow  # trains a model or serves for seconds
def test_retrains_when_the_data_changes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    models = tmp_path / "models"
    engine = EmbeddedEngine(models, data)
    first = engine.model.fingerprint
    assert (models / f"embedded-{first}.npz").exists()

    reloaded = EmbeddedEngine(models, data).load_or_train()  # from the cache
    assert reloaded.fingerprint == first

    extra = data / "extra.yml"
    extra.write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - chào buổi sáng nha\n',
        encoding="utf-8",
    )
    assert data_fingerprint(data) != first
    retrained = EmbeddedEngine(models, data).model
    assert retrained.fingerprint != first
    assert sorted(p.name for p in models.glob("embedded-*.npz")) == [
        f"embedded-{retrained.fingerprint}.npz"
    ]


def test_a_corrupt_cache_is_replaced(tmp_path: Path) -> None:
    engine = EmbeddedEngine(tmp_path)
    path = engine.cache_path(data_fingerprint())
    path.write_bytes(b"not an export")
    model = engine.load_or_train()
    assert model.intents
    assert path.read_bytes()[:2] == b"PK"  # rewritten as a real .npz export
