"""When counsellors are on duty: `CHILDSAFE_HANDOFF_HOURS` in the deployment's time zone.

The format is a `;`-separated list of `days times` rules, for example
`mon-fri 07:30-17:00; sat 07:30-11:30`. Days are `mon`..`sun`, as single days, ranges
(`mon-fri`) or comma lists (`mon,wed,fri`); a rule may list several time ranges
(`mon-fri 07:30-11:30,13:30-17:00`). `always` and `never` mean what they say. A range may
not cross midnight (write two rules). Anything else is refused at start-up with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_TIME_RANGE = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")


class HoursError(ValueError):
    """A duty-hours string that cannot be read; the message says what is wrong."""


@dataclass(frozen=True, slots=True)
class Window:
    day: int  # 0 = Monday
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class DutyHours:
    windows: tuple[Window, ...]
    zone: ZoneInfo
    always: bool = False

    @classmethod
    def parse(cls, spec: str, zone: str = "Asia/Ho_Chi_Minh") -> DutyHours:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise HoursError(f"unknown time zone {zone!r}") from exc
        text = " ".join(spec.lower().split())
        if text == "always":
            return cls((), tz, always=True)
        if text in ("never", ""):
            return cls((), tz)
        windows: list[Window] = []
        for rule in filter(None, (part.strip() for part in text.split(";"))):
            days_part, _, times_part = rule.partition(" ")
            days = _days(days_part, rule)
            ranges = [r.strip() for r in times_part.replace(" ", "").split(",") if r.strip()]
            if not ranges:
                raise HoursError(f"{rule!r}: no time range (e.g. 07:30-17:00)")
            for raw in ranges:
                start, end = _time_range(raw, rule)
                windows.extend(Window(day, start, end) for day in days)
        return cls(tuple(windows), tz)

    def is_open(self, when: dt.datetime) -> bool:
        if self.always:
            return True
        local = when.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        return any(w.day == local.weekday() and w.start <= clock < w.end for w in self.windows)

    def next_open(self, when: dt.datetime) -> dt.datetime | None:
        """The next moment the desk opens after `when` (now if open), or None for `never`."""
        if self.always or self.is_open(when):
            return when
        if not self.windows:
            return None
        local = when.astimezone(self.zone)
        best: dt.datetime | None = None
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            for window in self.windows:
                if window.day != day.weekday():
                    continue
                start = dt.datetime.combine(day, window.start, tzinfo=self.zone)
                if start > local and (best is None or start < best):
                    best = start
            if best is not None:
                return best
        return best

    def describe_next(self, when: dt.datetime) -> str | None:
        """When the desk opens next, in Vietnamese ("Thứ Hai 07:30", "hôm nay lúc 13:30")."""
        start = self.next_open(when)
        if start is None:
            return None
        local_now = when.astimezone(self.zone)
        days = (start.date() - local_now.date()).days
        clock = start.strftime("%H:%M")
        if days == 0:
            return f"hôm nay lúc {clock}"
        if days == 1:
            return f"ngày mai ({DAY_NAMES_VI[start.weekday()]}) lúc {clock}"
        return f"{DAY_NAMES_VI[start.weekday()]} lúc {clock}"


def _days(part: str, rule: str) -> list[int]:
    chosen: list[int] = []
    for item in filter(None, part.split(",")):
        first, _, last = item.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(f"{rule!r}: days are mon, tue, wed, thu, fri, sat, sun")
        a = DAYS.index(first)
        b = DAYS.index(last) if last else a
        if b < a:
            raise HoursError(f"{rule!r}: a day range runs forwards (mon-fri, not fri-mon)")
        chosen.extend(range(a, b + 1))
    if not chosen:
        raise HoursError(f"{rule!r}: no days")
    return sorted(set(chosen))


def _time_range(raw: str, rule: str) -> tuple[dt.time, dt.time]:
    match = _TIME_RANGE.fullmatch(raw)
    if not match:
        raise HoursError(f"{rule!r}: a time range looks like 07:30-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start = dt.time(h1, m1)
        end = dt.time(0, 0) if (h2, m2) == (24, 0) else dt.time(h2, m2)
    except ValueError as exc:
        raise HoursError(f"{rule!r}: {raw} is not a time of day") from exc
    if (h2, m2) == (24, 0):
        end = dt.time(23, 59, 59, 999999)
    if end <= start:
        raise HoursError(f"{rule!r}: {raw} ends before it starts (split it at midnight)")
    return start, end
