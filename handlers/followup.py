"""Follow-ups resolved against the topic under way.

"mất bao lâu", "ở đâu", "hồ sơ gồm những gì", "ai duyệt", "thủ tục thế nào", "còn nếu bị quay
clip thì sao": short questions that only make sense after the previous answer. The rules:

1. A message that names a sub-answer of the current topic (its keywords) stays in the topic,
   unless it is a subject of its own that another topic explains better (a confident guess
   for another topic whose own sub-answers match at least as well).
2. An elliptical message (nothing left once the follow-up frame, the aspect asked about and
   the particles are taken out) is answered from the current topic, whatever the classifier
   guesses: the aspect it asks ("bao lâu" → duration) picks the topic's sub-answer
   (content/followups.yml).
3. Anything else is a new subject: the classifier decides.

Safety never comes here: the pipeline has assessed the message before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from content.base import CONTENT_DIR, Answer, ContentBase
from content.places import fold_name
from handlers.models import Audience
from handlers.topics import TOPICAL_INTENTS

FOLLOWUPS_PATH = CONTENT_DIR / "followups.yml"

# "thế còn", "còn nếu", "vậy", "à mà" … at the start; "thì sao", "thế nào" … at the end.
_FRAME_START = re.compile(
    r"^(?:(?:the|vay|zay|dzay|v|con|ma|a|a ma|the thi|vay thi|vay con|the con|con neu|neu"
    r"|con ve|con truong hop|truong hop|nhung|nhung ma|oi|ad|cho hoi|hoi them"
    # English: "and", "what about", "and if", "ok so" … (not a bare "so": số)
    r"|and|ok|okay|oh|but|also|then|what about|how about|and if|what if|and what about"
    r"|ok so|ok and|sorry|one more thing|another question)\s+)+"
)
_FRAME_END = re.compile(
    r"(?:\s+(?:thi|the|sao|the nao|ra sao|nhu the nao|nhu nao|nua|a|ha|nhi|khong|ko|k|hong"
    r"|hem|vay|dzay|zay|v|ad|ban|nhe|nha|chu|roi|rua|ri|rang|the|a|u"
    r"|then|pls|plz|please|too|now|thanks|thx))+$"
)
_FOLLOW_WORDS = re.compile(
    r"^(?:the con|con neu|con|vay|dzay|zay|the thi|vay thi|a ma"
    r"|what about|how about|and if|what if|and what about)\b"
)

ASPECTS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in {
        # first: "cơ sở pháp lý là gì" asks for the sources, not a definition ("là gì")
        "sources": r"\b(?:co so phap ly|can cu (?:phap ly|vao dau|o dau|tu dau|dau|nao|gi)"
        r"|(?:theo|trong|o|dua vao|dua tren|quy dinh (?:o|trong)) (?:luat|van ban|nghi dinh"
        r"|thong tu|chi thi|dieu|khoan) (?:nao|gi|may|so may)|luat nao|van ban nao"
        r"|quy dinh o dau|dieu (?:may|nao|bao nhieu|so may)|nguon (?:o dau|tu dau|nao|gi)"
        r"|(?:xem|doc|gui|cho xin) (?:nguon|van ban|nguyen van|ban goc|link)|nguyen van"
        r"|legal basis|which (?:law|article|decree|regulation|document)|what law"
        r"|(?:the )?sources?|citations?|references?"
        r")\b",
        "duration": r"\b(?:bao lau|may ngay|bao nhieu ngay|bao gio|khi nao|thoi han|lau (?:khong"
        r"|ko|k|rua|vay|the)|may thang|bao nhieu lau|lau ko|mat bao lau|mat may ngay"
        r"|may tieng|bao nhieu tieng|may gio"
        r"|how long|how many (?:days|weeks|months|hours)|how soon|when will|how fast"
        r")\b",
        "where": r"\b(?:o dau|cho nao|noi nao|o mo|dau (?:vay|a|nhi|ha)|(?:nop|bao|goi|lam|xin"
        r"|den|hoi|gap) (?:o )?dau|lien he ai|bao ai|goi ai|goi so nao|o cho nao"
        r"|where|who (?:do|should|can) (?:i|we) (?:call|tell|contact|report (?:it |this )?to|go to)"
        r"|(?:call|go to|tell) the police|report (?:it|this|him|her|them)|which office"
        r")\b",
        "documents": r"\b(?:ho so|giay to|can (?:nhung )?gi|gom (?:nhung )?gi|can mang (?:theo )?gi"
        r"|to khai|lam don"
        r"|what (?:documents|papers|paperwork|forms)|which (?:documents|papers)|documents"
        r"|paperwork|what do (?:i|we) need(?: to bring)?|application form"
        r")\b",
        "approver": r"\b(?:ai (?:duyet|quyet dinh|xet|ky|giai quyet|xu ly|chiu trach nhiem)"
        r"|co quan nao|cap nao"
        r"|who (?:decides|approves|is responsible|handles it|is in charge|signs)"
        r"|which (?:agency|authority|office decides)"
        r")\b",
        "procedure": r"\b(?:thu tuc|quy trinh|cac buoc|lam (?:the nao|sao|gi|nhu nao)|phai lam"
        r"|xu ly (?:the nao|ra sao|sao)|lam cach nao"
        r"|what (?:should|do|can|must) (?:i|we) do|what to do|what now|next steps?|procedure"
        r"|the process|what are the steps|how (?:do|should) (?:i|we) (?:do it|proceed|start)"
        # whom to tell first: "có phải báo hiệu trưởng trước không", "do I tell the principal first"
        r"|(?:co )?(?:phai|can|nen) (?:bao|bao cao|xin y kien) (?:cho |voi )?(?:hieu truong"
        r"|ban giam hieu|bgh|nha truong|phu huynh|gia dinh)"
        r"|(?:do|should|must) (?:i|we) (?:have to |need to )?(?:tell|inform|report (?:it |this )?to"
        r"|ask) (?:the |my )?(?:principal|head ?teacher|headmaster|school|parents|family)"
        r")\b",
        "amount": r"\b(?:bao nhieu tien|bao nhieu mot thang|duoc bao nhieu|muc (?:huong|tro cap)"
        r"|bao nhieu"
        r"|how much(?! (?:does it cost|is it to call|to call))(?: money)?(?: (?:per|a|each|every)"
        r" month| monthly)?"
        r")\b",
        "after": r"\b(?:(?:xong|roi) (?:thi )?(?:sao|lam gi)|sau (?:do|khi bao)|roi sao|tiep theo"
        r"|xong roi"
        r"|what happens (?:after|next|then)|and then what|then what|after i report"
        r"|after (?:that|reporting)"
        r")\b",
        "secrecy": r"\b(?:lo (?:ten|danh tinh)|giu kin|bi lo|bi biet|tra thu|bi phat hien"
        r"|ai biet"
        r"|will (?:they|he|she|anyone) (?:know|find out)|anonymous(?:ly)?|keep my name"
        r"|confidential|find out it was me|know it was me|revenge"
        r")\b",
        "signs": r"\b(?:dau hieu|nhan biet|biet (?:the nao|sao|duoc)"
        r"|(?:warning )?signs|how (?:do|can) (?:i|we) (?:know|tell)"
        r")\b",
        "talk": r"\b(?:(?:noi chuyen|tro chuyen|noi|giai thich|chia se|ke|tam su) (?:voi|cho)"
        r" (?:con|be|chau|tre|no|em ay|hoc sinh|bo me|ba me|ba ma|bo|me|ba|ma|thay co|thay giao"
        r"|co giao|co chu nhiem|nguoi lon)"
        r"|(?:talk|speak) (?:to|with) (?:him|her|them|my (?:son|daughter|kid|child)|the (?:child"
        r"|kid)|the student)|explain (?:it )?to (?:him|her|them)"
        r")\b",
        "cost": r"\b(?:mat (?:tien|phi)|mien phi|tinh phi|cuoc|ton tien|tra tien"
        r"|is it free|does it cost|how much does it cost|cost money|free of charge"
        r")\b",
        "school": r"\b(?:(?:nha )?truong (?:phai|can|co|lam)|o truong|thay co (?:phai|can)"
        r"|giao vien (?:phai|can)"
        r"|(?:the )?school (?:must|should|has to|need to|needs to)|what (?:should|must|will)"
        r" the school do|does the school have to"
        r")\b",
        "eligibility": r"\b(?:ai duoc|dieu kien|doi tuong|co duoc (?:khong|ko|k)"
        r"|who (?:can|is eligible|qualifies)|eligible|(?:do|does|can) (?:we|i|she|he) (?:qualify"
        r"|get it)|conditions"
        r")\b",
        "definition": r"\b(?:la gi|the nao la|nhu the nao la|bao nhieu tuoi|tinh la"
        r"|what (?:is|does) (?:it|that) mean|what counts as|what is it"
        r")\b",
    }.items()
}

# Pronouns, particles and verbs that carry no subject ("mất", "có", "được" …), in all regions.
_PARTICLES = frozenset(
    [
        "nen",
        "chau",
        "a",
        "ad",
        "ah",
        "ak",
        "ay",
        "ba",
        "ban",
        "be",
        "bi",
        "biet",
        "bay",
        "bo",
        "ca",
        "cac",
        "cai",
        "can",
        "chi",
        "cho",
        "chu",
        "co",
        "con",
        "cu",
        "cua",
        "da",
        "dang",
        "day",
        "de",
        "di",
        "do",
        "duoc",
        "e",
        "em",
        "gi",
        "gio",
        "ha",
        "hay",
        "he",
        "het",
        "hoi",
        "hong",
        "hem",
        "khi",
        "khong",
        "ko",
        "k",
        "kia",
        "la",
        "lai",
        "lam",
        "luon",
        "ma",
        "mat",
        "may",
        "minh",
        "mo",
        "moi",
        "muon",
        "nao",
        "nay",
        "ne",
        "neu",
        "ngay",
        "nghe",
        "nha",
        "nhe",
        "nhi",
        "nhieu",
        "nhung",
        "ni",
        "no",
        "nua",
        "o",
        "oi",
        "phai",
        "ra",
        "rang",
        "ri",
        "roi",
        "rua",
        "sao",
        "se",
        "tai",
        "thay",
        "the",
        "thi",
        "thoi",
        "tren",
        "toi",
        "tui",
        "u",
        "v",
        "va",
        "vay",
        "vao",
        "ve",
        "voi",
        "vui",
        "zay",
        "dzay",
        "nhu",
        "nay",
        "chac",
        "nhan",
        "mot",
        "hai",
        "1",
        "2",
        "3",
        "cung",
        "nguoi",
        "ta",
        # English function words (not "me", "so", "to", "an": mẹ, số, tố/tờ, an toàn)
        "i",
        "my",
        "we",
        "us",
        "our",
        "you",
        "your",
        "it",
        "its",
        "they",
        "them",
        "their",
        "he",
        "she",
        "him",
        "her",
        "his",
        "do",
        "does",
        "did",
        "is",
        "are",
        "am",
        "be",
        "been",
        "should",
        "shall",
        "can",
        "could",
        "would",
        "will",
        "a",
        "the",
        "of",
        "for",
        "in",
        "on",
        "at",
        "about",
        "this",
        "that",
        "with",
        "need",
        "get",
        "please",
        "pls",
        "plz",
        "then",
        "and",
        "or",
        "what",
        "how",
        "who",
        "when",
        "where",
        "which",
        "there",
        "any",
        "have",
        "has",
        "just",
        "now",
        "ok",
        "also",
        "still",
        "if",
        "yes",
        "no",
        "really",
        "want",
        "know",
        "next",
        "one",
    ]
)


@dataclass(frozen=True, slots=True)
class Resolution:
    answer: Answer
    how: str  # "keyword" (names a sub-answer) or "aspect" (asks about an aspect of the topic)


def strip_frame(folded: str) -> str:
    return _FRAME_END.sub("", _FRAME_START.sub("", folded)).strip()


def aspect_of(folded: str) -> str | None:
    for name, pattern in ASPECTS.items():
        if pattern.search(folded):
            return name
    return None


def asks_for_sources(folded: str) -> bool:
    """ "cơ sở pháp lý là gì", "căn cứ vào đâu", "điều mấy", "which law": the legal basis of
    the answer just given, asked on its own."""
    return aspect_of(folded) == "sources" and is_elliptical(folded)


def is_framed(folded: str) -> bool:
    """Starts like a follow-up: "thế còn …", "còn nếu …", "vậy …"."""
    return bool(_FOLLOW_WORDS.match(folded))


ELLIPTICAL_MAX_WORDS = 7  # a longer message says enough to be read on its own


def is_elliptical(folded: str) -> bool:
    """Short, and nothing of its own to be about: the frame, the aspect asked and particles."""
    if len(folded.split()) > ELLIPTICAL_MAX_WORDS:
        return False
    return len(subject_words(folded).split()) <= 1


def without_aspects(folded: str) -> str:
    for pattern in ASPECTS.values():
        folded = pattern.sub(" ", folded)
    return " ".join(folded.split())


def subject_words(folded: str) -> str:
    """What a follow-up is about once its frame, the aspect asked and particles are gone:
    "thế còn bỏng thì sao" → "bong"."""
    core = strip_frame(folded)
    for pattern in ASPECTS.values():
        core = pattern.sub(" ", core)
    return " ".join(w for w in core.split() if w not in _PARTICLES)


def title_choice(
    content: ContentBase, intent: str, audience: Audience, subject: str
) -> Answer | None:
    """The one sub-answer of `intent` whose title names the subject ("bỏng" → "Phòng và xử
    trí bỏng")."""
    names = [(fold_name(answer.title), answer.id) for answer in content.for_intent(intent)]
    wanted = f" {subject} "
    found: list[Answer] = []
    for name, answer_id in names:
        target = for_audience(content, answer_id, audience)
        if (
            f" {name} ".find(wanted) >= 0
            and target is not None
            and target.intent == intent
            and not target.main
            and target.serves(audience)
            and target not in found
        ):
            found.append(target)
    return found[0] if len(found) == 1 else None


TITLE_OVERLAP = 0.6  # share of a title's words a framed follow-up must use to mean it


def title_overlap(
    content: ContentBase, intent: str, audience: Audience, folded: str
) -> Answer | None:
    """ "còn nếu em thấy bạn khác bị như vậy thì sao" → "Em thấy bạn bị bắt nạt": the one
    sub-answer whose title the message says most of (at least three of its words)."""
    words = set(folded.split())
    scored: list[tuple[float, Answer]] = []
    for answer in content.for_intent(intent):
        if answer.main or not answer.serves(audience):
            continue
        title = set(fold_name(answer.title).split())
        shared = len(words & title)
        if shared >= 3 and shared / len(title) >= TITLE_OVERLAP:
            scored.append((shared / len(title), answer))
    scored.sort(key=lambda item: -item[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def keyword_choice(
    content: ContentBase, intent: str, audience: Audience, folded: str
) -> tuple[int, Answer] | None:
    """The sub-answer of `intent` whose keywords the message names most (ties: this audience)."""
    best: tuple[int, int, Answer] | None = None
    padded = f" {folded} "
    for answer in content.for_intent(intent):
        if not answer.keywords or not answer.serves(audience):
            continue
        hits = sum(1 for k in answer.keywords if f" {k} " in padded)
        if hits:
            exact = int(audience in answer.audiences)
            if best is None or (hits, exact) > (best[0], best[1]):
                best = (hits, exact, answer)
    return (best[0], best[2]) if best else None


@cache
def aspect_table(path: Path = FOLLOWUPS_PATH) -> dict[str, dict[str, Any]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(topic): dict(aspects) for topic, aspects in raw.items()}


def aspect_answer(
    content: ContentBase, topic: str, aspect: str, audience: Audience
) -> Answer | None:
    target = aspect_table().get(topic, {}).get(aspect)
    if isinstance(target, dict):
        target = target.get(audience.value, target.get("any"))
    if not target:
        return None
    return for_audience(content, str(target), audience)


def for_audience(content: ContentBase, answer_id: str, audience: Audience) -> Answer | None:
    """The answer, or its "_student" variant for a student when there is one."""
    if audience is Audience.STUDENT and (variant := content.get(f"{answer_id}_student")):
        return variant
    return content.get(answer_id)


def resolve(
    content: ContentBase,
    folded: str,
    topic: str | None,
    guess: str,
    confidence: float,
    threshold: float,
    audience: Audience,
) -> Resolution | None:
    """The sub-answer of `topic` this message follows up on, or None (a new subject)."""
    if not topic:
        return None
    elliptical = is_elliptical(folded)
    framed = is_framed(folded)
    in_topic = keyword_choice(content, topic, audience, folded)
    # Another topic the classifier is sure of. A conversational guess (human_handoff for
    # "nói chuyện với cháu thế nào") is no subject of its own when the topic has the aspect.
    conversational = guess not in TOPICAL_INTENTS
    other = None if conversational or guess == topic or confidence < threshold else guess
    if other and not elliptical:
        if in_topic is None:
            return None
        # what the other topic is named by, not counting the aspect asked ("bao lâu" is no
        # subject: "mất bao lâu thì trường phải xử lý" is still about the school)
        theirs = keyword_choice(content, other, audience, without_aspects(folded))
        if theirs is not None and (
            theirs[0] > in_topic[0] or (theirs[0] == in_topic[0] and not framed)
        ):
            return None
    if in_topic is not None:
        return Resolution(in_topic[1], "keyword")
    subject = subject_words(folded)
    if subject and len(subject.split()) <= 3 and (framed or elliptical or guess == topic):
        named = title_choice(content, topic, audience, subject)
        if named is not None:
            return Resolution(named, "title")
    if framed and (close := title_overlap(content, topic, audience, folded)) is not None:
        return Resolution(close, "title")
    aspect = aspect_of(folded)
    if aspect and (elliptical or guess == topic or confidence < threshold or conversational):
        answer = aspect_answer(content, topic, aspect, audience)
        if answer is not None:
            return Resolution(answer, "aspect")
    return None


def carry_facet(
    content: ContentBase, intent: str, previous: Answer | None, audience: Audience
) -> Answer | None:
    """ "thế còn trợ cấp thì sao" after the answer on disabled children at school: the
    allowance answer for disabled children (the sub-answer sharing the previous facet)."""
    if previous is None or not previous.keywords or previous.intent == intent:
        return None
    wanted = set(previous.keywords)
    best: tuple[int, Answer] | None = None
    for answer in content.for_intent(intent):
        if not answer.serves(audience):
            continue
        shared = len(wanted & set(answer.keywords))
        if shared and (best is None or shared > best[0]):
            best = (shared, answer)
    return best[1] if best else None
