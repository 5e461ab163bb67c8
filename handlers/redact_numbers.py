"""Numbers in a message (#6, #17): phones, IDs, accounts and cards told apart from money,
dates, ages, hotlines and legal references by length, prefix and the nearest cue."""

from __future__ import annotations

import re

from handlers.redact_doc import (
    Span,
    _Doc,
)

# ---------------------------------------------------------------------------- numbers

_RUN_RE = re.compile(r"(?<!\d)(?<!\d[.,])(?:\+|\(\+?)?\d(?:[ .\-–()]{0,3}\d)*\)?")
_GROUP_RE = re.compile(r"\d+")
_CUES = {
    "phone": r"s\.?đ\.?t|s\.?d\.?t|đt|dt|điện thoại|dien thoai|đthoai|phone|tel|zalo|gọi|goi|"
    r"liên hệ|lien he|liên lạc|lien lac|nhắn tin|nhan tin|hotline|sim|số máy|so may|máy bàn|"
    r"may ban|di động|di dong|call",
    "cccd": r"cccd|căn cước|can cuoc|định danh|dinh danh|cc công dân",
    "cmnd": r"cmnd|cmt|chứng minh|chung minh",
    "bank": r"stk|số tk|so tk|tk|tài khoản|tai khoan|ngân hàng|ngan hang|bank|vietcombank|vcb|"
    r"techcombank|tcb|agribank|bidv|vietinbank|mbbank|mb|acb|tpbank|sacombank|vpbank|shb|"
    r"hdbank|ocb|scb|momo|ví điện tử|vi dien tu|chuyển khoản|chuyen khoan|ck",
    "card": r"thẻ|visa|master|mastercard|atm|napas|jcb",
}
_CUE_RE = re.compile(
    "|".join(rf"(?P<{name}>(?<!\w)(?:{pattern})(?!\w))" for name, pattern in _CUES.items())
)
_UNIT_AFTER_RE = re.compile(
    r"[ \t]?(?:đ|₫|đồng|dong|vnd|vnđ|k|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỉ|ty|usd|\$|%|"
    r"kg|tuổi|tuoi|t|năm|nam|tháng|thang|giờ|gio|h|phút|phut|người|nguoi|học sinh|"
    r"hoc sinh|hs|lớp|lop|suất|suat|m|km|cm|lần|lan)(?!\w)",
    re.IGNORECASE,
)
_CURRENCY_AFTER_RE = re.compile(
    r"\s?(?:đ|₫|đồng|dong|vnd|vnđ|tr|triệu|trieu|nghìn|nghin|ngàn|ngan|tỷ|tỉ|usd|\$)(?!\w)",
    re.IGNORECASE,
)
_MONEY_SHAPE_RE = re.compile(r"[1-9]\d{0,2}(?:[.,]\d{3})+")
# a currency after a sum in thousands, "d" included ("2.500.000d", "500.000 D")
_MONEY_AFTER_RE = re.compile(
    r"\s?(?:đ|d|₫|đồng|dong|vnd|vnđ|usd|\$)(?!\w)|\s?(?:triệu|trieu|nghìn|nghin|ngàn)(?!\w)",
    re.IGNORECASE,
)
_DATE_SHAPE_RE = re.compile(
    r"\d{1,2}[.\-]\d{1,2}[.\-](?:\d{2}|\d{4})|(?:19|20)\d\d\s?[-–]\s?(?:19|20)\d\d"
)
_GROUPED_BY_FOUR_RE = re.compile(r"\d{4}(?:[ .-]\d{4}){3}")
_PHONE_NATIONAL_RE = re.compile(r"0(?:[35789]\d{8}|2\d{9}|1[2689]\d{8})")
_SERVICE_PREFIXES = ("1800", "1900")
_HOTLINES = frozenset({"111", "112", "113", "114", "115"})


_SPECIFIC = frozenset({"SĐT", "CCCD", "THẺ"})  # recognisable by shape, not just by length


def _number_spans(doc: _Doc) -> list[Span]:
    """Classify each run of digits. A run may hold several numbers ("hẻm 5 0912 345 678"):
    if it is not one recognisable number, look inside it for phones, CCCDs and cards, then
    classify what lies between them as a whole."""
    spans: list[Span] = _masked_phone_spans(doc)
    for run in _RUN_RE.finditer(doc.text):
        groups = [
            (run.start() + g.start(), run.start() + g.end())
            for g in _GROUP_RE.finditer(run.group())
        ]
        if _organisation_number(
            doc, run.start(), "".join(g.group() for g in _GROUP_RE.finditer(run.group()))
        ):
            continue
        whole = _classify_number(doc, run.start(), run.end())
        loose_card = whole == "THẺ" and len(groups) > 1 and _loose_card(doc, *run.span())
        if loose_card and _specific_inside(doc, run.start(), groups):
            whole = None
        if (
            (whole in _SPECIFIC and not loose_card)
            or len(groups) == 1
            or (whole == "STK" and _cue_at(doc, run.start()) == "bank")
        ):
            if whole:
                spans.append(Span(run.start(), run.end(), whole))
            continue
        inner = _specific_inside(doc, run.start(), groups)
        if not inner:
            if whole:
                spans.append(Span(run.start(), run.end(), whole))
            continue
        if _phone_mistyped(doc, run, inner):
            # (#17, round 5) "số con: +84 37 ba 5 4 chín 1 0 2 6": a phone with a digit too
            # many is still that person's number
            spans.append(Span(run.start(), run.end(), "SĐT"))
            continue
        spans += inner
        covered = {
            index
            for span in inner
            for index, g in enumerate(groups)
            if span.start <= g[0] < span.end
        }
        gap: list[int] = []
        for index in [*range(len(groups)), len(groups)]:
            if index < len(groups) and index not in covered:
                gap.append(index)
                continue
            if gap:
                gap_start, gap_end = groups[gap[0]][0], groups[gap[-1]][1]
                kind = _classify_number(doc, gap_start, gap_end)
                if kind:
                    spans.append(Span(gap_start, gap_end, kind))
                gap = []
    return spans


def _phone_mistyped(doc: _Doc, run: re.Match[str], inner: list[Span]) -> bool:
    """One phone inside a run cued as a phone, and no more than two digits after it."""
    if len(inner) != 1 or inner[0].type != "SĐT" or inner[0].start != run.start():
        return False
    rest = doc.text[inner[0].end : run.end()]
    if not 1 <= sum(ch.isdigit() for ch in rest) <= 2:
        return False
    if _cue_at(doc, run.start()) != "phone" and not run.group().startswith("+"):
        return False
    return not _UNIT_AFTER_RE.match(doc.text, run.end())


# (#17, round 5) a phone with some digits masked: "0399xxx123", "0913.xxx.456", "09** *** 678"
_MASKED_PHONE_RE = re.compile(r"(?<![\w.])(?:\+84|0)[1-9][\dxX*•.\- ]{7,14}(?<![.\- ])(?![\w*])")


def _masked_phone_spans(doc: _Doc) -> list[Span]:
    spans = []
    for m in _MASKED_PHONE_RE.finditer(doc.text):
        body = re.sub(r"[.\- ]", "", m.group().replace("+84", "0"))
        masked = sum(ch in "xX*•" for ch in body)
        if len(body) in (10, 11) and 2 <= masked <= 5 and len(body) - masked >= 5:
            spans.append(Span(m.start(), m.end(), "SĐT"))
    return spans


def _specific_inside(doc: _Doc, run_start: int, groups: list[tuple[int, int]]) -> list[Span]:
    """Phones, CCCDs and cards inside a longer run, longest first from the left."""
    text = doc.text
    spans = []
    i = 0
    while i < len(groups):
        found: tuple[int, str, int, int] | None = None
        last = i  # the longest number worth trying holds at most 19 digits (a card)
        while last + 1 < len(groups) and groups[last + 1][1] - groups[i][0] <= 40:
            last += 1
        for j in range(last, i - 1, -1):
            if i == 0 and j == len(groups) - 1:
                continue  # the whole run, already tried
            start = run_start if i == 0 else groups[i][0]
            end = groups[j][1]
            if j == len(groups) - 1 and text[end : end + 1] == ")" and "(" in text[start:end]:
                end += 1
            kind = _classify_number(doc, start, end)
            if kind == "THẺ" and _loose_card(doc, start, end):
                continue
            if kind in _SPECIFIC:
                found = (j, kind or "", start, end)
                break
        if found is None:
            i += 1
            continue
        j, kind, start, end = found
        spans.append(Span(start, end, kind))
        i = j + 1
    return spans


def _loose_card(doc: _Doc, start: int, end: int) -> bool:
    """Sixteen digits that pass Luhn but are neither printed like a card nor cued as one:
    "2024 0084 33 00 03 39 0" is a year and a phone."""
    raw = doc.text[start:end].strip("() ")
    return not _GROUPED_BY_FOUR_RE.fullmatch(raw) and _cue_at(doc, start) != "card"


def _cue_at(doc: _Doc, start: int) -> str | None:
    """The nearest cue before `start`, looked up once per position (a long run of digits
    asks about the same positions many times)."""
    if start not in doc.cues:
        doc.cues[start] = _nearest_cue(doc.text, start)
    return doc.cues[start]


def _nearest_cue(text: str, start: int) -> str | None:
    window = text[max(0, start - 40) : start].lower()
    best: tuple[int, str] | None = None
    for m in _CUE_RE.finditer(window):
        name = m.lastgroup
        if name and (best is None or m.end() >= best[0]):
            best = (m.end(), name)
    return best[1] if best else None


def _phone_national(digits: str, raw: str) -> str | None:
    if raw.startswith(("+", "(+")) and digits.startswith("84"):
        national = "0" + digits[2:]
    elif digits.startswith("0084"):
        national = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        national = "0" + digits[2:]
    elif digits.startswith("0"):
        national = digits
    else:
        return None
    if national.startswith("00"):  # "+84 (0) 912 ..."
        national = national[1:]
    return national if _PHONE_NATIONAL_RE.fullmatch(national) else None


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


# (#17, round 6) numbers that belong to an organisation, not a person: a tax code ("mã số
# thuế 0312345678" is a company's, shaped like a phone) and an office's landline ("điện
# thoại nhà trường: 024 3856 2211"; a mobile is someone's, whoever it is said to be of)
_TAX_CODE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:ma so thue|mst|ma so doanh nghiep|ma doanh nghiep)(?: cua [a-z ]{1,25})?[: ]*$"
)
_OFFICE_LINE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:dien thoai|so dien thoai|sdt|dt|so|hotline|tong dai|duong day nong|lien he)"
    r"(?: cua| ban| cong khai)? (?:nha truong|truong|ubnd|uy ban [a-z ]{1,20}|cong an [a-z ]{0,20}"
    r"|benh vien|trung tam|phong giao duc|so giao duc|van phong|cong ty|doan|hoi phu nu)"
    r"[a-z ]{0,30}[: ]*$"
)


# a landline said to be a helpline's, or named right after a service line ("1800 1567 hoặc …")
_HELPLINE_BEFORE_RE = re.compile(
    r"(?<!\w)(?:hotline|tong dai|duong day nong|duong day tro giup|helpline)(?!\w)[^.!?\n,;]{0,30}$"
    r"|(?<!\d)(?:1800|1900)[ .]?\d{2,3}[ .]?\d{2,3}(?: hoac| or|,| va)? ?$"
)
_BUSINESS_RE = re.compile(
    r"(?<!\w)(?:cong ty|doanh nghiep|co so|cua hang|xuong|nha hang|tiem|hop tac xa|shop)(?!\w)"
)
_PERSONAL_TAX_RE = re.compile(r"(?<!\w)(?:ca nhan|cua (?:em|e|toi|tui|minh|me|bo|ba|ma|con))(?!\w)")


def _organisation_number(doc: _Doc, start: int, digits: str) -> bool:
    window = doc.folded[max(0, start - 60) : start].lower()
    if _TAX_CODE_BEFORE_RE.search(window):
        # a company's tax code is public; a person's ("mã số thuế cá nhân của mẹ") is not
        around = doc.folded[max(0, start - 60) : start + len(digits) + 50].lower()
        return bool(_BUSINESS_RE.search(around)) and not _PERSONAL_TAX_RE.search(around)
    landline = digits.startswith("02") or digits.startswith(_SERVICE_PREFIXES)
    helpline = _HELPLINE_BEFORE_RE.search(window)
    if landline and helpline and not _PERSONAL_TAX_RE.search(window[helpline.start() :]):
        return True  # (#17, round 7) "gọi tổng đài 1800 1567 hoặc 0243 9421 968 để được tư vấn"
    return landline and bool(_OFFICE_LINE_BEFORE_RE.search(window))


def _classify_number(doc: _Doc, start: int, end: int) -> str | None:
    raw = doc.text[start:end].strip("() ")
    digits = "".join(ch for ch in raw if ch.isdigit())
    n = len(digits)
    if n < 7:
        return None
    if all(g in _HOTLINES for g in _GROUP_RE.findall(raw)):
        return None  # "113 114 115 là số gì"
    if n == 12 and digits.startswith("0") and _cue_at(doc, start) == "cccd":
        return "CCCD"  # "cccd: 001205098765" reads as an old 11-digit mobile after "00"
    if _organisation_number(doc, start, digits):
        return None
    phone = _phone_national(digits, raw)
    after = doc.text[end : end + 12]
    if phone and (digits.startswith("0") or raw.startswith("+")):
        return "SĐT"  # a phone number followed by "k" is "không", not thousands
    if phone and not _MONEY_SHAPE_RE.fullmatch(raw) and not _CURRENCY_AFTER_RE.match(after):
        return "SĐT"  # "84 912 345 678 lớp 7": a count word after it does not make it a count
    if _MONEY_SHAPE_RE.fullmatch(raw) and _MONEY_AFTER_RE.match(after):
        return None  # (#17, round 7) "CHUYEN KHOAN 2.500.000D": money, whatever the cue
    cued = _cue_at(doc, start)
    if _DATE_SHAPE_RE.fullmatch(raw):
        return None
    if _UNIT_AFTER_RE.match(after) and not (n >= 9 and cued in {"bank", "cccd", "cmnd", "card"}):
        return None  # "120 học sinh"; but "stk 123456789 lớp 7" is an account and a class
    if n in (8, 10) and digits.startswith(_SERVICE_PREFIXES):
        return None  # 1800/1900 service lines belong to organisations
    cue = _cue_at(doc, start)
    if _MONEY_SHAPE_RE.fullmatch(raw) and cue not in {"phone", "cccd", "cmnd", "bank", "card"}:
        return None
    if cue == "card" and 12 <= n <= 19:
        return "THẺ"
    if n == 16 and _luhn(digits) and _GROUPED_BY_FOUR_RE.fullmatch(raw):
        return "THẺ"  # printed like a card: "9704 1500 0123 4569", whatever the cue says
    if cue == "bank" and n >= 6:
        return "STK"
    if 13 <= n <= 19 and _luhn(digits) and (n == 16 or (n == 19 and digits.startswith("9704"))):
        return "THẺ"
    if cue == "cccd" and n == 12:
        return "CCCD"
    if cue == "cmnd" and n in (9, 12):
        return "CMND" if n == 9 else "CCCD"
    if phone:
        return "SĐT"
    if cue == "phone" and 8 <= n <= 11:
        return "SĐT"  # a landline without its area code, or a mobile missing its 0
    if n == 12 and digits.startswith("0"):
        return "CCCD"
    if n == 9:
        return "CMND"
    if n >= 10:
        return "STK"
    return None
