"""The canonical text reader: one reading of a message for the NLU, safety, redaction and
staff search. `read(text)` gives a `Reading`; `fold(s)` is the quick accent-free key."""

from __future__ import annotations

import hashlib
from pathlib import Path

from nlu.text.reader import READER_VERSION, Reading, fold, read

_HERE = Path(__file__).parent
# Everything the reading of a text depends on: models trained on folded text fingerprint it.
# (disguise.py writes disguises for the stress harness; the reader never runs it)
READER_FILES: tuple[Path, ...] = tuple(
    sorted(
        [
            *(p for p in _HERE.glob("*.py") if p.name != "disguise.py"),
            *(p for p in (_HERE / "data").iterdir() if p.is_file()),
        ]
    )
)


def reader_fingerprint() -> str:
    """Changes whenever the reader's code, tables or READER_VERSION change."""
    digest = hashlib.sha256(READER_VERSION.encode())
    for path in READER_FILES:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


__all__ = ["READER_FILES", "READER_VERSION", "Reading", "fold", "read", "reader_fingerprint"]
