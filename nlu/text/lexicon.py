"""The reader's word tables, loaded once from data/lexicon.yml (see the comments there)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

# libyaml's parser when PyYAML has it: the same safe subset, faster at start-up (#18)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LEXICON_PATH = Path(__file__).parent / "data" / "lexicon.yml"


def _load() -> dict[str, Any]:
    data = yaml.load(LEXICON_PATH.read_text(encoding="utf-8"), Loader=_LOADER)
    if not isinstance(data, dict):
        raise ValueError(f"{LEXICON_PATH}: expected a mapping")
    return data


def _words(value: object) -> str:
    return " ".join(str(value).split())


_DATA = _load()
TEEN: Mapping[str, str] = MappingProxyType(
    {str(k): _words(v) for k, v in (_DATA.get("teen") or {}).items()}
)
# Keys as the canonical text has them (NFKC, variation selectors gone): "❤️" → "❤".
EMOJI: Mapping[str, str] = MappingProxyType(
    {
        unicodedata.normalize("NFKC", str(k)).replace("\ufe0f", ""): _words(v)
        for k, v in (_DATA.get("emoji") or {}).items()
    }
)
# Words left as typed: English the reader must not repair, and chat words like "hihi".
ENGLISH: frozenset[str] = frozenset(
    str(w).lower() for key in ("english", "keep") for w in _DATA.get(key) or ()
)
