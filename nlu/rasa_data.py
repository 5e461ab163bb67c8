"""Read Rasa 3.x NLU YAML (`nlu:` blocks of `intent` + `examples`) without Rasa itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

NLU_DIR = Path(__file__).resolve().parent
DATA_DIR = NLU_DIR / "data"
TESTS_DIR = NLU_DIR / "tests"
DOMAIN_PATH = NLU_DIR / "domain.yml"

_ENTITY_RE = re.compile(r"\[([^\]]+)\]\([^)]+\)|\[([^\]]+)\]\{[^}]+\}")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str


def strip_entity_markup(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: m.group(1) or m.group(2), text)


def parse_examples(block: str) -> list[str]:
    out = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            text = strip_entity_markup(line[2:].strip())
            if text:
                out.append(text)
    return out


def load_file(path: Path) -> list[Example]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for item in raw.get("nlu", []) or []:
        if "intent" in item and "examples" in item:
            examples.extend(
                Example(t, str(item["intent"])) for t in parse_examples(item["examples"])
            )
    return examples


def load_dir(directory: Path = DATA_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(directory.rglob("*.yml")):
        examples.extend(load_file(path))
    return examples


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.rglob("*.yml"))


def domain_intents(path: Path = DOMAIN_PATH) -> list[str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [str(i) if not isinstance(i, dict) else str(next(iter(i))) for i in raw["intents"]]
