"""The NLU engine interface every engine (embedded, Rasa) implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Ranked:
    intent: str
    confidence: float


@dataclass(frozen=True, slots=True)
class NLUResult:
    intent: str
    confidence: float
    ranking: tuple[Ranked, ...] = field(default=())
    engine: str = "embedded"


class NLUEngine(Protocol):
    name: str

    def parse(self, folded_text: str) -> NLUResult:
        """Classify text already folded by `nlu.text.read`."""
        ...


class AsyncNLUEngine(Protocol):
    name: str

    async def aparse(self, folded_text: str) -> NLUResult: ...
