"""Write folded copies of the Rasa NLU data, so Rasa trains on what it will be sent.

The assistant sends Rasa `nlu.text.read(text).folded` (no diacritics, đ→d,
teen spelling expanded), exactly what the embedded engine sees. Rasa must therefore train
on folded examples too. Usage (from the project's own venv):

    python -m nlu.export_folded build/rasa-data

One output file per input file, same name; stale `*.yml` files in OUTDIR are removed.
Examples that fold to the same text within an intent are written once; examples that
fold to the same text under two intents are reported (the data is ambiguous there).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlu.rasa_data import DATA_DIR, data_files, parse_examples
from nlu.text import read

FOLDED_BLOCKS = ("intent", "synonym", "lookup")  # blocks whose examples are plain text


@dataclass(slots=True)
class ExportReport:
    files: list[Path] = field(default_factory=list)
    examples: int = 0
    duplicates_dropped: int = 0
    conflicts: dict[str, set[str]] = field(default_factory=dict)  # folded text -> intents


def fold_text(text: str) -> str:
    return read(text).folded


def _block_literal(lines: Sequence[str]) -> str:
    return "".join(f"    - {line}\n" for line in lines)


def export_file(source: Path, out_dir: Path, seen: dict[str, set[str]]) -> tuple[Path, int, int]:
    """Fold one Rasa NLU file into `out_dir`; returns (path, examples kept, dropped)."""
    raw: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    parts = ['version: "3.1"\n', "nlu:\n"]
    kept = dropped = 0
    for item in raw.get("nlu") or []:
        kind = next((k for k in FOLDED_BLOCKS if k in item), None)
        if kind is None or "examples" not in item:
            # regex blocks and anything else are passed through untouched
            parts.append(yaml.safe_dump([item], allow_unicode=True, sort_keys=False))
            continue
        name = str(item[kind])
        unique: list[str] = []
        for text in parse_examples(str(item["examples"])):
            folded = fold_text(text)
            if not folded or folded in unique:
                dropped += 1
                continue
            unique.append(folded)
            if kind == "intent":
                seen[folded].add(name)
        if not unique:
            continue
        kept += len(unique)
        parts.append(f"- {kind}: {fold_text(name) if kind == 'synonym' else name}\n")
        parts.append("  examples: |\n" + _block_literal(unique))
    target = out_dir / source.name
    target.write_text("".join(parts), encoding="utf-8")
    return target, kept, dropped


def export(data_dir: Path, out_dir: Path) -> ExportReport:
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = data_files(data_dir)
    for stale in out_dir.glob("*.yml"):
        if stale.name not in {s.name for s in sources}:
            stale.unlink()
    report = ExportReport()
    seen: dict[str, set[str]] = defaultdict(set)
    for source in sources:
        path, kept, dropped = export_file(source, out_dir, seen)
        report.files.append(path)
        report.examples += kept
        report.duplicates_dropped += dropped
    report.conflicts = {text: names for text, names in seen.items() if len(names) > 1}
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="Rasa NLU data directory")
    args = parser.parse_args(argv)
    if len({p.name for p in data_files(args.data)}) != len(data_files(args.data)):
        print("nlu data files must have distinct names", file=sys.stderr)
        return 2
    report = export(args.data, args.out_dir)
    for text, names in sorted(report.conflicts.items()):
        print(f"warning: {text!r} folds to one text under {sorted(names)}", file=sys.stderr)
    print(
        f"wrote {report.examples} folded examples in {len(report.files)} files to "
        f"{args.out_dir} ({report.duplicates_dropped} duplicates after folding dropped)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
