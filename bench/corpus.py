"""The benchmark's message mix: what parents, students and teachers really send.

Built deterministically (a fixed seed) from the held-out sets that ship with the code
(`nlu/tests/test_nlu.yml`, `nlu/tests/triage_cases.yml`; only measured on, never trained
or tuned on) and varied the way real messages vary: two-word greetings, questions as
written, the same without diacritics, teen spelling ("e", "ko", "dc", "bik", "j"), long
stories of several paragraphs, danger now, and odd input (emoji, digits, button payloads).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from nlu.rasa_data import load_file

NLU_TESTS = Path(__file__).resolve().parent.parent / "nlu" / "tests"
MAX_CHARS = 3900  # under /api/chat's 4,000-character limit, so every message is answerable

# kind -> share of the mix
MIX: dict[str, float] = {
    "short": 0.18,
    "question": 0.30,
    "no_diacritics": 0.15,
    "teen": 0.10,
    "long_story": 0.10,
    "urgent": 0.12,
    "odd": 0.05,
}

SHORT = (
    "xin chào",
    "chào bạn",
    "alo",
    "cảm ơn",
    "cam on nhe",
    "ok",
    "ừ",
    "vâng ạ",
    "hello",
    "giúp mình với",
    "hỏi chút",
    "tổng đài",
    "số 111",
    "báo cáo thế nào",
    "tôi là giáo viên",
    "em là học sinh",
    "tôi là phụ huynh",
    "học phí",
    "bị bắt nạt",
    "tư vấn tâm lý",
)
ODD = (
    "😀😀😀",
    "🙏",
    "???",
    "2",
    "1",
    "0912345678",
    "@cmd:help",
    "@intent:hotline_info",
    "@role:parent",
    "aaaaaaaaaaaaaaaa",
    "=SUM(1+1)",
    "<b>xin chào</b>",
    "   ",
    "ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok ok",
)
TEEN = {
    "không": "ko",
    "được": "dc",
    "biết": "bik",
    "gì": "j",
    "em": "e",
    "với": "vs",
    "trường": "trg",
    "người": "ng",
    "bạn": "bn",
    "rồi": "r",
    "vậy": "v",
    "muốn": "mún",
    "quá": "wá",
    "thì": "thỳ",
    "anh": "a",
    "chị": "c",
    "mình": "mk",
    "yêu": "iu",
}
OPENINGS = (
    "Chào bạn, mình muốn kể một chuyện và xin lời khuyên.",
    "Xin chào, tôi là phụ huynh ở quê, tôi không rành mấy chuyện này.",
    "Em chào anh chị ạ. Em năm nay học lớp 8.",
    "Tôi là giáo viên chủ nhiệm, tôi đang băn khoăn về một học sinh của lớp.",
)
CLOSINGS = (
    "Mong bạn trả lời sớm, cảm ơn nhiều.",
    "Em nên làm gì bây giờ ạ?",
    "Tôi phải báo cho ai và cần giấy tờ gì?",
    "Cảm ơn đã đọc hết, mình rối quá.",
)


@dataclass(frozen=True, slots=True)
class BenchMessage:
    text: str
    user: str
    kind: str


def strip_diacritics(text: str) -> str:
    """What a phone without a Vietnamese keyboard sends: no marks, đ as d, case kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def teen_spelling(text: str) -> str:
    words = re.split(r"(\s+)", text.lower())
    return "".join(TEEN.get(w, w) for w in words)


def _load_sources() -> tuple[list[str], list[str], list[str]]:
    questions = [e.text for e in load_file(NLU_TESTS / "test_nlu.yml")]
    triage = yaml.safe_load((NLU_TESTS / "triage_cases.yml").read_text(encoding="utf-8"))
    urgent = [str(t) for t in triage.get("urgent", [])]
    not_urgent = [str(t) for t in triage.get("not_urgent", [])]
    return questions, urgent, questions + not_urgent


def _long_story(rng: random.Random, sentences: list[str]) -> str:
    parts = [rng.choice(OPENINGS)]
    target = rng.choice((400, 800, 1500, 2500, MAX_CHARS))
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(rng.choice(sentences).strip())
        if rng.random() < 0.25:
            parts.append("\n\n")
    parts.append(rng.choice(CLOSINGS))
    return " ".join(parts)[:MAX_CHARS]


def message_set(count: int, users: int = 300, seed: int = 8) -> list[BenchMessage]:
    """`count` messages in the MIX proportions, shuffled, from `users` distinct senders."""
    rng = random.Random(seed)
    questions, urgent, everyday = _load_sources()
    if not questions or not urgent:
        raise RuntimeError(f"the held-out sets under {NLU_TESTS} are missing or empty")
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    messages: list[BenchMessage] = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        if kind == "short":
            text = rng.choice(SHORT)
        elif kind == "question":
            text = rng.choice(questions)
        elif kind == "no_diacritics":
            text = strip_diacritics(rng.choice(everyday))
        elif kind == "teen":
            text = teen_spelling(rng.choice(everyday))
        elif kind == "long_story":
            text = _long_story(rng, everyday)
        elif kind == "urgent":
            text = rng.choice(urgent)
            if rng.random() < 0.3:
                text = strip_diacritics(text)
        else:
            text = rng.choice(ODD)
        messages.append(BenchMessage(text[:MAX_CHARS], f"bench-user-{rng.randrange(users)}", kind))
    return messages


def describe(messages: list[BenchMessage]) -> dict[str, object]:
    """Counts and lengths, for the report."""
    by_kind: dict[str, int] = {}
    for m in messages:
        by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
    lengths = sorted(len(m.text) for m in messages)
    return {
        "messages": len(messages),
        "users": len({m.user for m in messages}),
        "by_kind": dict(sorted(by_kind.items())),
        "chars_median": lengths[len(lengths) // 2] if lengths else 0,
        "chars_max": lengths[-1] if lengths else 0,
    }
