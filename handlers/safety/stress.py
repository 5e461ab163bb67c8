"""The disguise stress harness: does a disguised message read, and get assessed, as its plain form?

    python -m handlers.safety.stress                 # every style, the whole training corpus
    python -m handlers.safety.stress --every 4       # every 4th message (quicker)
    python -m handlers.safety.stress --style leet --show 10   # a style's misses, 10 of them

It needs no test set. It takes every message of the safety training corpus (`data/train*.yml`)
and of the fresh round-2 set (tests/data/triage_fresh_round2.yml, when present), writes each in
every disguise style of `nlu.text.disguise` (random but seeded, so the figures repeat), and
measures per style:

* urgent messages: the share whose level ("urgent" / "check" / "none") and first danger equal
  those of the plain message ("kept"), and the share of those urgent when plain that are still
  urgent in disguise ("escalated");
* harmless messages (not urgent when plain): the share still not urgent in disguise;
* the reader: the share whose folded text equals the plain message's ("folded =="), and the
  share within one token of it by edit distance per ten tokens ("folded ≈").

The safety model was trained on these very messages (plain), so the figures measure the
reader and the rules under disguise, not generalisation: blind figures come from
``childsafe eval --triage``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from handlers.safety.engine import Assessment, assess
from handlers.safety.model import data_files, load_examples
from nlu.text import read
from nlu.text.disguise import STYLES, disguise

REPO = Path(__file__).resolve().parents[2]
FRESH_SET = REPO / "tests" / "data" / "triage_fresh_round2.yml"
SEED = 12


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    urgent: bool  # as labelled


@dataclass(slots=True)
class StyleFigures:
    style: str
    urgent: int = 0
    urgent_kept: int = 0  # level and first danger as plain
    plain_urgent: int = 0  # urgent messages assessed urgent when plain
    escalated: int = 0  # of those, urgent in disguise
    harmless: int = 0  # harmless messages not urgent when plain
    harmless_kept: int = 0  # of those, not urgent in disguise
    folded_same: int = 0
    folded_near: int = 0
    read: int = 0
    # (plain, disguise, plain's level/danger, disguise's level/danger)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)  # (plain, disguise)
    # (disguise, plain's folded text, disguise's folded text)
    misread: list[tuple[str, str, str]] = field(default_factory=list)

    @staticmethod
    def share(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def kept_rate(self) -> float:
        return self.share(self.urgent_kept, self.urgent)

    @property
    def escalated_rate(self) -> float:
        return self.share(self.escalated, self.plain_urgent)

    @property
    def harmless_rate(self) -> float:
        return self.share(self.harmless_kept, self.harmless)

    @property
    def folded_same_rate(self) -> float:
        return self.share(self.folded_same, self.read)

    @property
    def folded_near_rate(self) -> float:
        return self.share(self.folded_near, self.read)


# Round-6 widening files stay out of the pool: mixed_h is written disguised already (a disguise
# of a disguise measures nothing), and the floors below were set on the pool without them.
NOT_IN_THE_POOL = frozenset(
    {"train_gen7_stories_f.yml", "train_gen8_indirect_g.yml", "train_gen8_mixed_h.yml"}
)


def corpus(include_fresh: bool = True) -> list[Message]:
    """The training corpus's messages, then the fresh round-2 set's (when present)."""
    files = tuple(p for p in data_files() if p.name not in NOT_IN_THE_POOL)
    messages = [Message(e.text, e.urgent) for e in load_examples(files)]
    if include_fresh and FRESH_SET.exists():
        data = yaml.safe_load(FRESH_SET.read_text(encoding="utf-8")) or {}
        for key, urgent in (("urgent", True), ("not_urgent", False)):
            group = data.get(key) or {}
            texts: Iterable[object] = (
                (t for ts in group.values() for t in ts) if isinstance(group, dict) else group
            )
            messages += [Message(str(t), urgent) for t in texts]
    return messages


def _edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def near(plain: Sequence[str], disguised: Sequence[str]) -> bool:
    """Within one token edit per ten tokens of the plain reading (at least one)."""
    allowed = max(1, len(plain) // 10)
    if abs(len(plain) - len(disguised)) > allowed:
        return False
    return _edit_distance(plain, disguised) <= allowed


def _key(a: Assessment) -> tuple[str, str | None]:
    return a.level, (a.primary.value if a.primary else None)


Judge = Callable[[str], Assessment]


def _judge(text: str) -> Assessment:
    return assess(read(text))


def measure(
    messages: Sequence[Message],
    styles: Sequence[str] = STYLES,
    seed: int = SEED,
    judge: Judge = _judge,
    read_only: bool = False,
) -> dict[str, StyleFigures]:
    """Figures per style (see the module's docstring). `read_only`: the reader's figures alone
    (no assessment), which is quick."""
    figures = {style: StyleFigures(style) for style in styles}
    for message in messages:
        plain_tokens = read(message.text).tokens
        plain = None if read_only else judge(message.text)
        for style in styles:
            f = figures[style]
            text = disguise(message.text, style, seed)
            tokens = read(text).tokens
            f.read += 1
            f.folded_same += tokens == plain_tokens
            if near(plain_tokens, tokens):
                f.folded_near += 1
            elif len(f.misread) < 1000:
                f.misread.append((text, " ".join(plain_tokens), " ".join(tokens)))
            if plain is None:
                continue
            seen = judge(text)
            if message.urgent:
                f.urgent += 1
                if _key(seen) == _key(plain):
                    f.urgent_kept += 1
                else:
                    f.misses.append((message.text, text, _show(plain), _show(seen)))
                if plain.urgent:
                    f.plain_urgent += 1
                    f.escalated += seen.urgent
            elif not plain.urgent:
                f.harmless += 1
                if seen.urgent:
                    f.false_alarms.append((message.text, text))
                else:
                    f.harmless_kept += 1
    return figures


def _show(a: Assessment) -> str:
    return f"{a.level}/{a.primary.value if a.primary else '-'}"


def report(figures: dict[str, StyleFigures], read_only: bool = False) -> str:
    if read_only:
        head = f"{'style':<14}{'folded ==':>10}{'folded ≈':>10}{'n':>7}"
        rows = [
            f"{f.style:<14}{f.folded_same_rate:>10.1%}{f.folded_near_rate:>10.1%}{f.read:>7}"
            for f in figures.values()
        ]
        return "\n".join([head, *rows])
    head = (
        f"{'style':<14}{'kept':>8}{'escal.':>8}{'n urg':>7}{'harmless':>10}{'n harm':>8}"
        f"{'folded ==':>10}{'folded ≈':>10}"
    )
    rows = [
        f"{f.style:<14}{f.kept_rate:>8.1%}{f.escalated_rate:>8.1%}{f.plain_urgent:>7}"
        f"{f.harmless_rate:>10.1%}{f.harmless:>8}{f.folded_same_rate:>10.1%}"
        f"{f.folded_near_rate:>10.1%}"
        for f in figures.values()
    ]
    total = StyleFigures("all")
    for f in figures.values():
        for name in ("urgent", "urgent_kept", "plain_urgent", "escalated", "harmless"):
            setattr(total, name, getattr(total, name) + getattr(f, name))
        total.harmless_kept += f.harmless_kept
        total.folded_same += f.folded_same
        total.folded_near += f.folded_near
        total.read += f.read
    rows.append(
        f"{'all':<14}{total.kept_rate:>8.1%}{total.escalated_rate:>8.1%}{total.plain_urgent:>7}"
        f"{total.harmless_rate:>10.1%}{total.harmless:>8}{total.folded_same_rate:>10.1%}"
        f"{total.folded_near_rate:>10.1%}"
    )
    legend = (
        "kept: urgent messages whose level and first danger equal the plain message's; "
        "escal.: of those urgent when plain, urgent in disguise; harmless: of those not urgent "
        "when plain, still not urgent; folded ==/≈: the reader's folded text equals (or is "
        "within a token per ten of) the plain's"
    )
    return "\n".join([head, *rows, "", legend])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handlers.safety.stress", description=__doc__)
    parser.add_argument("--style", action="append", choices=STYLES, help="only these styles")
    parser.add_argument("--every", type=int, default=1, help="every Nth message only")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-fresh", action="store_true", help="the training corpus alone")
    parser.add_argument("--urgent-only", action="store_true")
    parser.add_argument("--read-only", action="store_true", help="the reader's figures alone")
    parser.add_argument("--show", type=int, default=0, help="print this many misses per style")
    args = parser.parse_args(argv)
    messages = corpus(include_fresh=not args.no_fresh)[:: max(1, args.every)]
    if args.urgent_only:
        messages = [m for m in messages if m.urgent]
    figures = measure(messages, args.style or STYLES, args.seed, read_only=args.read_only)
    print(report(figures, args.read_only))
    for f in figures.values() if args.show else ():
        for plain, text, was, now in f.misses[: args.show]:
            print(f"[{f.style}] MISS {was} -> {now}: {text!r}  (plain: {plain})")
        for plain, text in f.false_alarms[: args.show]:
            print(f"[{f.style}] ALARM: {text!r}  (plain: {plain})")
        for text, want, got in f.misread[: args.show]:
            print(f"[{f.style}] READ {text!r}\n    want {want}\n    got  {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
