"""Charts for the staff desk, drawn on the server as inline SVG: no script, no library, no CDN,
so they work offline and under a `default-src 'self'` policy.

Every chart is an `<svg role="img">` with a `<title>` and `<desc>` for screen readers, and
each bar or point carries its own `<title>` (the value on hover). The page puts the same
numbers in a table next to it (`ChartData.rows`), for anyone who cannot see the chart.
Colours come from the Okabe-Ito palette, which stays distinguishable with colour blindness.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = (
    "#0072b2",  # blue
    "#e69f00",  # orange
    "#009e73",  # green
    "#cc79a7",  # pink
    "#56b4e9",  # sky
    "#d55e00",  # vermilion
    "#7f6d00",  # olive (Okabe-Ito's yellow, darkened to show on white)
    "#000000",
)
OTHER_COLOUR = "#8a97a6"
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 10, 16, 42  # plot margins inside the view box
FONT = 14  # user units (the chart scales with the page); staff.css enlarges it on phones


@dataclass(frozen=True, slots=True)
class Series:
    key: str
    label: str
    values: tuple[float, ...]
    colour: str

    @property
    def total(self) -> float:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class ChartData:
    days: tuple[str, ...]  # ISO dates, one per column
    series: tuple[Series, ...]

    def rows(self) -> list[tuple[str, list[float]]]:
        """(day, one value per series) for the table beside the chart."""
        return [(day, [s.values[i] for s in self.series]) for i, day in enumerate(self.days)]


def day_range(since: dt.date, until: dt.date) -> list[str]:
    return [(since + dt.timedelta(days=i)).isoformat() for i in range((until - since).days + 1)]


def grouped(
    days: Sequence[str],
    per_day: Sequence[dict[str, int]],
    labels: dict[str, str],
    keep: int = 6,
    other_label: str = "Khác",
) -> ChartData:
    """Counts per day and key as series: the `keep` biggest keys, the rest summed as "other"."""
    totals: dict[str, int] = {}
    for counts in per_day:
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n
    ranked = sorted(totals, key=lambda k: (-totals[k], k))
    shown = ranked[:keep] if len(ranked) > keep + 1 else ranked
    rest = [k for k in ranked if k not in shown]
    series = [
        Series(key, labels.get(key, key), tuple(float(c.get(key, 0)) for c in per_day), colour)
        for key, colour in zip(shown, _colours(len(shown)), strict=True)
    ]
    if rest:
        values = tuple(float(sum(c.get(k, 0) for k in rest)) for c in per_day)
        series.append(Series("_other", other_label, values, OTHER_COLOUR))
    return ChartData(tuple(days), tuple(series))


def _colours(n: int) -> list[str]:
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten, never under 1: the charts count
    messages and whole percents) giving at most about `ticks` gridlines above zero."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1.0, float(factor * power))
    return max(1.0, float(10 * power))


def _fmt(value: float, percent: bool = False) -> str:
    if percent:
        return f"{value:.0f}%" if value == round(value) else f"{value:.1f}%".replace(".", ",")
    return f"{value:,.0f}".replace(",", ".")


def _day_label(day: str) -> str:
    return f"{day[8:10]}/{day[5:7]}"


class _Frame:
    """The axes and gridlines shared by both chart kinds."""

    def __init__(self, days: Sequence[str], top: float, percent: bool) -> None:
        self.days = days
        self.percent = percent
        self.step = nice_step(top)
        self.top = max(self.step, math.ceil(top / self.step) * self.step)
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.column = self.plot_w / max(1, len(days))

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - value / self.top)

    def x_centre(self, i: int) -> float:
        return LEFT + self.column * (i + 0.5)

    def axes(self) -> list[str]:
        parts: list[str] = []
        steps = round(self.top / self.step)
        for i in range(steps + 1):
            value = self.step * i
            y = self.y(value)
            parts.append(
                f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"'
                f' stroke="#d5dde6" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{LEFT - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="{FONT}"'
                f' fill="#4a5968">{_fmt(value, self.percent)}</text>'
            )
        every = max(1, math.ceil(len(self.days) / 8))  # at most eight date labels
        for i, day in enumerate(self.days):
            if i % every == 0:
                parts.append(
                    f'<text x="{self.x_centre(i):.1f}" y="{HEIGHT - BOTTOM + 26}"'
                    f' text-anchor="middle" font-size="{FONT}" fill="#4a5968">'
                    f"{_day_label(day)}</text>"
                )
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{self.y(0):.1f}" y2="{self.y(0):.1f}"'
            f' stroke="#4a5968" stroke-width="1"/>'
        )
        return parts


def _svg(chart_id: str, title: str, desc: str, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
        f' aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d"'
        f' xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")


def stacked_bars(data: ChartData, chart_id: str, title: str, desc: str, unit: str) -> Markup:
    """One bar per day, one coloured segment per series, stacked bottom-up in series order."""
    totals = [sum(s.values[i] for s in data.series) for i in range(len(data.days))]
    frame = _Frame(data.days, max(totals, default=0.0), percent=False)
    body = frame.axes()
    bar = max(2.0, min(48.0, frame.column * 0.7))
    for i, day in enumerate(data.days):
        base = 0.0
        for series in data.series:
            value = series.values[i]
            if value <= 0:
                continue
            y_top, y_bottom = frame.y(base + value), frame.y(base)
            tip = f"{_day_label(day)} · {series.label}: {_fmt(value)} {unit}"
            body.append(
                f'<rect x="{frame.x_centre(i) - bar / 2:.1f}" y="{y_top:.1f}" width="{bar:.1f}"'
                f' height="{max(0.5, y_bottom - y_top):.1f}" fill="{series.colour}">'
                f"<title>{escape(tip)}</title></rect>"
            )
            base += value
    return _svg(chart_id, title, desc, body)


def lines(
    data: ChartData, chart_id: str, title: str, desc: str, unit: str = "", percent: bool = False
) -> Markup:
    """One line per series, a dot per day (with its value as a tooltip)."""
    top = max((v for s in data.series for v in s.values), default=0.0)
    frame = _Frame(data.days, min(100.0, top) if percent and top > 0 else top, percent)
    body = frame.axes()
    for series in data.series:
        points = [(frame.x_centre(i), frame.y(v)) for i, v in enumerate(series.values)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{series.colour}"'
                f' stroke-width="2.5" stroke-linejoin="round"/>'
            )
        for (x, y), day, value in zip(points, data.days, series.values, strict=True):
            tip = f"{_day_label(day)} · {series.label}: {_fmt(value, percent)}"
            if unit:
                tip += f" {unit}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{series.colour}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    return _svg(chart_id, title, desc, body)
