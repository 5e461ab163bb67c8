"""Safety triage: is a child in danger *now*? Independent of the intent classifier.

Rules run on folded text (see `normalise.fold`). Two tiers:

* **cries**: unambiguous statements of danger or intent ("muốn chết", "cứu em",
  "đang bị đánh"): urgent whatever the framing.
* **situations**: danger words (drowning, poisoning, abduction, ...) that are urgent when
  the message describes a real case (a person is named, "đang", "vừa", a plea for help)
  and not when it is framed as a general or prevention question ("làm sao phòng tránh
  đuối nước"). Ambiguous cases escalate: an extra escalation is cheaper than a missed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from handlers.normalise import Normalised


class Danger(StrEnum):
    VIOLENCE = "violence"
    SEXUAL_ASSAULT = "sexual_assault"
    ABDUCTION = "abduction_missing"
    SUICIDE = "suicide_self_harm"
    INJURY = "serious_injury"
    POISONING = "poisoning"
    DROWNING = "drowning"


# Emergency lines each danger calls for, after 111 (which always comes first).
LINES_FOR: dict[Danger, tuple[str, ...]] = {
    Danger.VIOLENCE: ("113",),
    Danger.SEXUAL_ASSAULT: ("113",),
    Danger.ABDUCTION: ("113",),
    Danger.SUICIDE: ("115",),
    Danger.INJURY: ("115",),
    Danger.POISONING: ("115",),
    Danger.DROWNING: ("115", "114"),
}

_W = r"(?:\w+ ){0,3}"  # up to three words in between
_WHO = (
    r"(?:em|e|con|toi|minh|tui|tao|tau|chau|be|nho|thang be|con be|ban em|ban minh|ban toi"
    r"|ban tui|em gai|em trai|chi em|anh em|con toi|con em|con tui|con minh|con gai|con trai"
    r"|ban|no|chung no|may|bon nho|hoc sinh|hs)"
)


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


# --- tier 1: cries (always urgent) -----------------------------------------------------
_CRIES: dict[Danger, re.Pattern[str]] = {
    Danger.SUICIDE: _rx(
        r"\b(muon|dinh|se|sap|chuan bi|quyet dinh|nghi den chuyen|tinh) (tu tu|tu sat|chet|ket lieu)",
        r"\b(muon|dinh|se|sap) (nhay|lao) (cau|lau|song|xuong)",
        r"\bkhong (muon|thiet|con muon) song",
        r"\bchan song\b",
        r"\bmuon bien mat\b",
        r"\b(bien mat|chet|di) (di )?cho (moi nguoi|ca nha|bo me|ba ma|bo mẹ)? ?(do|bot|khoi|nhe|thanh than)",
        r"\bchet (di )?cho (xong|roi|rui|nhe no|khoe)",
        r"\bchet quach\b",
        r"\b(tu|dang|vua|da) (cat|rach|cua) (tay|co tay|da|chan)",
        r"\b(cat|rach|cua) (tay|co tay) (de|cho|roi|rui)",
        r"\btu (lam dau|hanh ha|lam hai|gay thuong) (ban than|minh|chinh minh)",
        r"\btu hai\b",
        r"\b(uong|nuot) (het )?(ca )?(vi|lo|hop|nam|nhieu)? ?thuoc (ngu|chuot|sau|tru sau|diet co)",
        r"\b(treo co|that co)\b",
        r"\b(thu|buc thu|la thu|loi) (tuyet menh|cuoi cung)\b",
        r"\btam biet (moi nguoi|tat ca|the gioi|ca nha)",
        r"\bkhong con (ly do|y nghia|gi) (de|trong) song",
        r"\bsong (khong|chang) con (y nghia|ly do)",
        r"\b(moi nguoi|ca nha|bo me|ba ma|the gioi) (se )?(tot|vui|nhe nhom|hanh phuc) hon (neu|khi) (khong co|thieu) "
        + _WHO,
        r"\bngu (mai|luon) (khong|chang) (day|tinh)",
        r"\bdi theo (ong|ba|bo|me|ma|ba)\b",
        r"\bkhong muon (thuc day|ton tai|o tren doi)",
        r"\bgiai thoat (cho )?(ban than|minh|em)",
    ),
    Danger.VIOLENCE: _rx(
        r"\bcuu (em|toi|con|minh|tui|chau|voi|tao|be|nho|ban)\b",
        r"\b(giup|cuu) (em|toi|minh|tui|con|chau) voi\b",
        r"\bdang (bi )?" + _W + r"(danh|dap|hanh ha|tat|bop co|chem|dam|nhot|giam|doa giet|xam hai)\b",
        r"\b(doa|doi|muon) (giet|chem|dam|thanh toan)",
        r"\b(cam|vac|cat) (dao|rua|gay|keo|ong tuyp|ma tau)",
        r"\b(bop|siet) co\b",
        r"\b(nhot|khoa trai|xich|troi|giam) " + _W + r"(em|con|toi|minh|tui|chau|be|vao)",
        r"\bbi (nhot|khoa trai|xich|troi|giam)\b",
        r"\b(danh|dap) " + _W + r"(ngat|bat tinh|chay mau|gay|vo dau|nhap vien|tim tai)",
        r"\bsay (ruou )?(roi )?" + _W + r"(danh|dap|chui|dap pha)",
    ),
    Danger.SEXUAL_ASSAULT: _rx(
        r"\bbi " + _W + r"(hiep|cuong hiep|hiep dam|cuong dam|giao cau|dam o|xam hai tinh duc|lam nhuc)",
        r"\b(hiep|cuong hiep|hiep dam|dam o) " + _W + _WHO + r"\b",
        r"\b(ep|bat|doi|muon|buoc) " + _W + r"(quan he|ngu voi|coi do|coi quan|cho xem|sam so|so mo)",
        r"\b(so|sam|so mo|bop) " + _W + r"(vung kin|nguc|nguc em|cho kin|mong)",
        r"\bdoa (tung|phat tan|dang|gui) " + _W + r"(anh|clip|video|hinh)",
        r"\b(tung|phat tan) (anh|clip|video|hinh) (nong|khoa than|nude|nhay cam)",
    ),
    Danger.ABDUCTION: _rx(
        r"\bbi (bat coc|bat di|bat mat|bat giu|dem di|dua di|lua ban|ban sang|ban qua|bat cong)",
        r"\b(con|em|chau|be|ban) " + _W + r"(mat tich|mat lien lac|bo nha di|bo di|di lac|bi lac)",
        r"\b(khong|chua|ko) (thay|tim thay|tim duoc|lien lac duoc|lien lac dc) (con|chau|be|em|ban)",
        r"\b(con|chau|be) " + _W + r"(chua ve|khong ve|khong thay dau|bien dau mat|dau mat)",
        r"\b(tim|kiem) (con|chau|be) (gap|khan cap|voi)",
    ),
}

# --- tier 2: situations (urgent unless framed as a general question) ---------------------
_SITUATIONS: dict[Danger, re.Pattern[str]] = {
    Danger.SUICIDE: _rx(r"\b(tu tu|tu sat|tu ket lieu|tu lam dau|tu hai|rach tay|cat tay)\b"),
    Danger.VIOLENCE: _rx(
        r"\bbi " + _W + r"(danh|dap|dam|chem|tat|dap|hanh ha|nguoc dai|bao hanh|bao luc|doa)\b",
        r"\b(danh|dap|tat|dam|dap|chem|hanh ha|nguoc dai|bao hanh) "
        r"(em|e|con|toi|minh|tui|tao|chau|be|nho|no|ban em|vo|me)\b",
        r"\b(danh|dap) (hoi dong|dap|man ro|da man|tan nhan|rat dau|chay mau|tim)",
        r"\b(bao hanh|hanh ha|nguoc dai)\b",
    ),
    Danger.SEXUAL_ASSAULT: _rx(
        r"\b(hiep dam|cuong hiep|cuong dam|dam o|xam hai tinh duc|so mo|sam so|quay roi tinh duc)\b",
        r"\b(xam hai|quay roi|lam dung)\b",
    ),
    Danger.ABDUCTION: _rx(r"\b(bat coc|lac mat|di lac|mat tich|mua ban tre em|buon ban nguoi|bo nha di)\b"),
    Danger.INJURY: _rx(
        r"\b(bat tinh|ngat xiu|ngat|hon me|co giat|khong tho|kho tho|ngung tho|tim tai)\b",
        r"\bchay (rat )?(nhieu )?mau\b",
        r"\b(gay|vo) (tay|chan|xuong|dau|co)\b",
        r"\b(nga|rot|roi|te) " + _W + r"(tu|xuong) (tang|lau|cau thang|mai|cay|ban cong|gac)",
        r"\b(dien giat|giat dien)\b",
        r"\b(bong|phong) (nang|nuoc soi|dau soi|lua|hoa chat|axit|dien)\b",
        r"\bbi bong\b",
        r"\b(hoc|mac|nghen) (xuong|keo|do|hat|dong xu|pin|thuc an)\b",
        r"\bbi (hoc|mac nghen|nghen)\b",
        r"\b(xe|o to|xe may|xe tai) (tong|dam|can|dung)\b",
        r"\btai nan\b",
        r"\b(cho|cho dai) can\b",
        r"\b(ran|ong) (can|dot)\b",
    ),
    Danger.POISONING: _rx(
        r"\bngo doc\b",
        r"\b(uong|nuot|an) (nham|phai)\b",
        r"\b(uong|nuot|an|ngam) " + _W
        + r"(thuoc chuot|ba chuot|thuoc sau|thuoc tru sau|thuoc diet co|nuoc tay|chat tay|thuoc tay"
        r"|xang|dau hoa|axit|pin|vien pin|hoa chat|nam doc|thuoc cua (bo|me|ba|ong))",
        r"\b(nuot|uong) (ca|het|nhieu|may) (vi|vien|lo|hop)",
        r"\bnon (oi|mua)? ?(lien tuc|nhieu|ra mau)",
    ),
    Danger.DROWNING: _rx(
        r"\b(duoi nuoc|chet duoi|chet chim|bi chim|nuoc cuon|lu cuon|lu quet|troi song)\b",
        r"\b(nga|rot|roi|te|truot|lan) " + _W + r"(xuong )?(ao|ho|song|suoi|gieng|be nuoc|ho boi|kenh|muong|bien|nuoc|thau nuoc|xo nuoc)\b",
        r"\b(chim|bi cuon|bi nuoc cuon)\b",
    ),
}

# A described situation: someone specific, right now, or a plea.
_PRESENT = _rx(
    r"\b(dang|vua|vua moi|moi|bay gio|gio nay|ngay bay gio|luc nay|khi nay|hoi nay|toi nay|dem nay"
    r"|sang nay|chieu nay|hom nay|hom qua|vua roi|luc sang|ngay luc nay)\b",
    r"(?<!so )\bcuu\b(?! (ho|nan|thuong|tro))",
    r"\b(giup|help|sos|khan cap|gap|nhanh len|lam on)\b",
    r"\bphai lam (sao|gi|the nao) (bay gio|day|gio|ha|a)?\b",
    r"\b(roi|rui) (phai|gio) lam (sao|gi)\b",
    r"\b(chua ve|chua thay|khong tho|bat tinh|dang o)\b",
)
_SPECIFIC = _rx(
    r"\b(em|e|toi|minh|tui|tao|tau|chau|con|be|nho|ban|ban em|ban minh|ban toi|con toi|con em|con tui"
    r"|con gai|con trai|em gai|em trai|thang|chung no|co ay|cau ay|no) "
    + _W + r"(bi|dang|vua|da|muon|dinh|nga|rot|roi|uong|nuot|an|cat|rach|lay|cam)\b",
    r"\b(bo|me|ba|ma|cha|bo duong|me ke|cha duong|di ghe|chu|cau|bac|ong|thay|co|anh|chi|hang xom)"
    r" " + _W + r"(danh|dap|hanh ha|nguoc dai|doa|so mo|xam hai|nhot|troi|dam|tat)\b",
)
_GENERAL = _rx(
    r"\b(phong tranh|phong chong|phong ngua|de phong|ngan ngua|ngan chan|han che)\b",
    r"\b(lam (sao|the nao|cach nao|gi) de|cach (nao )?de|bang cach nao)\b",
    r"\b(ky nang|dau hieu|bieu hien|nhan biet|day (con|tre|hoc sinh|cac em|be)|huong dan|tu van ve)\b",
    r"\b(quy dinh|luat|dieu|khoan|nghi dinh|thong tu|chi thi|ke hoach|phap luat|van ban|xu phat"
    r"|muc phat|bi phat|vi pham|toi gi|truy cuu|hinh su)\b",
    r"\b(nguyen nhan|tai sao|vi sao|thong ke|so lieu|ty le)\b",
    r"\b(so cuu|cap cuu ban dau|xu tri ban dau)\b",
    r"\b(neu|gia su|trong truong hop|truong hop|phong khi|lo ngai|lo rang|lo la)\b",
    r"\bkhi (tre|con|be|hoc sinh|cac em|nguoi|ai|minh|gap|bi|co)\b",
    r"\b(tuyen truyen|giao duc|bai giang|tiet hoc|chuyen de|ngoai khoa|hoi thao|tap huan|sinh hoat)\b",
    r"\b(the nao la|la gi|gom nhung|bao gom|co nhung)\b",
    r"\b(cho tre|cho con|cho hoc sinh|o tre em|o tre|tre em)\b",
)


@dataclass(frozen=True, slots=True)
class Triage:
    urgent: bool
    dangers: tuple[Danger, ...] = ()
    lines: tuple[str, ...] = ()
    reasons: tuple[str, ...] = field(default=())

    @property
    def primary(self) -> Danger | None:
        return self.dangers[0] if self.dangers else None


NOT_URGENT = Triage(urgent=False)

# Order in which dangers are reported when several match: life-threatening first.
_PRIORITY = (
    Danger.SUICIDE,
    Danger.DROWNING,
    Danger.POISONING,
    Danger.INJURY,
    Danger.SEXUAL_ASSAULT,
    Danger.ABDUCTION,
    Danger.VIOLENCE,
)


def lines_for(dangers: tuple[Danger, ...]) -> tuple[str, ...]:
    lines: list[str] = ["111"]
    for danger in dangers:
        for line in LINES_FOR[danger]:
            if line not in lines:
                lines.append(line)
    return tuple(lines)


# Danger words whose folded form collides with an everyday word ("tự vẫn" / "tư vấn"):
# matched on the lower-cased original, diacritics kept.
_ACCENTED_CRIES: dict[Danger, re.Pattern[str]] = {
    Danger.SUICIDE: re.compile(r"tự vẫn|tự tìm đến cái chết|quyên sinh"),
}


def triage(message: Normalised) -> Triage:
    text = f" {message.folded} "
    if not message.tokens:
        return NOT_URGENT
    found: dict[Danger, str] = {}
    original = message.original.lower()
    for danger, pattern in _ACCENTED_CRIES.items():
        if match := pattern.search(original):
            found[danger] = f"cry:{match.group(0)}"
    for danger, pattern in _CRIES.items():
        if danger not in found and (match := pattern.search(text)):
            found[danger] = f"cry:{match.group(0).strip()}"
    situations = {
        danger: match.group(0).strip()
        for danger, pattern in _SITUATIONS.items()
        if danger not in found and (match := pattern.search(text))
    }
    if situations:
        present = bool(_PRESENT.search(text))
        specific = bool(_SPECIFIC.search(text))
        general = bool(_GENERAL.search(text))
        if present or (specific and not general):
            for danger, phrase in situations.items():
                found[danger] = f"situation:{phrase}"
    if not found:
        return NOT_URGENT
    dangers = tuple(d for d in _PRIORITY if d in found)
    return Triage(
        urgent=True,
        dangers=dangers,
        lines=lines_for(dangers),
        reasons=tuple(found[d] for d in dangers),
    )
