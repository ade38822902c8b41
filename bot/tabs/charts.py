"""The dashboard's charts, drawn here as SVG and sent inside the page.

Why on the server, not a JavaScript chart library: the tab's CSP allows only our own scripts, and a chart
drawn here needs none (nothing to vendor, audit or keep up to date, and the page works with scripts off);
the figures a chart shows have already passed the minimum-group rule, and a withheld one never reaches the
browser as a number; the SVG is plain markup, so unit tests read it and screenshots are the same every run.

Accessibility: each chart is `role="img"` with a `<title>` and a `<desc>` that says in words what it shows,
and the page puts a real table beside it (`cell` formats both alike). Colours are CSS classes (`s0`, `s1`,
`s2`, `axis`, …) that `dashboard.css` fills with the theme's custom properties, so the three Teams themes
(default, dark, high contrast) restyle every chart; no colour is written into the SVG, and inline `style`
attributes would be refused by the CSP anyway. The second and third series also carry a pattern (stripes,
dots) so they differ without colour, as high contrast and colour blindness need. A withheld figure is drawn
as "<N" where its bar would be, never as a bar of height zero."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

Value = float | None  # None: withheld under the minimum-group rule

WIDTH = 480
PATTERNS = ("", "stripes", "dots")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Value]


@dataclass(frozen=True)
class Chart:
    """Categories (rounds, skills, ratings) against one to three series of values."""

    id: str
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    unit: str = ""  # "%" for rates
    maximum: float | None = None  # the scale's top (5 for usefulness, 100 for a rate); else from the data
    decimals: int = 0


def cell(value: Value, chart: Chart, min_group: int) -> str:
    """A figure as the chart's table and CSV show it."""
    if value is None:
        return f"fewer than {min_group}"
    return f"{value:.{chart.decimals}f}{chart.unit}"


def short(value: Value, chart: Chart, min_group: int) -> str:
    """A figure as a label on its bar."""
    if value is None:
        return f"<{min_group}"
    return f"{value:.{chart.decimals}f}{chart.unit}"


def describe(chart: Chart, min_group: int) -> str:
    """The chart in words, for its `<desc>`: every category with every series' figure."""
    if not chart.categories:
        return f"{chart.title}: nothing to show yet."
    parts = [
        f"{category}: " + ", ".join(f"{s.name} {cell(s.values[i], chart, min_group)}" for s in chart.series)
        for i, category in enumerate(chart.categories)
    ]
    withheld = any(v is None for s in chart.series for v in s.values)
    note = f" Figures over fewer than {min_group} people are not shown." if withheld else ""
    return f"{chart.title}. " + "; ".join(parts) + "." + note


def _scale(chart: Chart) -> float:
    """The top of the scale: the chart's maximum, else the next of 1, 2, 5, 10, 20, 50, … at or over the data."""
    if chart.maximum is not None:
        return chart.maximum
    top = max((v for s in chart.series for v in s.values if v is not None), default=0.0)
    nice = 1.0
    while nice < top:
        nice = nice * 2.5 if str(int(nice)).startswith("2") else nice * 2
    return nice


def _defs(chart: Chart) -> str:
    return (
        "<defs>"
        f'<pattern id="{chart.id}-stripes" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect class="s1" width="6" height="6"/>'
        '<line class="hatch" x1="0" y1="0" x2="0" y2="6"/></pattern>'
        f'<pattern id="{chart.id}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect class="s2" width="6" height="6"/><circle class="hatch-dot" cx="3" cy="3" r="1.3"/></pattern>'
        "</defs>"
    )


def _fill(chart: Chart, k: int) -> str:
    """A series' bar: the first takes its colour from its class; the others are filled with their pattern
    (colour and stripes or dots), which a class rule would override, so they carry no colour class."""
    pattern = PATTERNS[k % len(PATTERNS)]
    return f'class="bar p{k}" fill="url(#{chart.id}-{pattern})"' if pattern else f'class="bar s{k}"'


def _legend(chart: Chart, y: float) -> str:
    items, x = [], 0.0
    for k, series in enumerate(chart.series):
        items.append(
            f'<rect {_fill(chart, k)} x="{x:.0f}" y="{y - 10:.0f}" width="12" height="12"/>'
            f'<text class="label" x="{x + 17:.0f}" y="{y:.0f}">{escape(series.name)}</text>'
        )
        x += 30 + 7.5 * len(series.name)
    return '<g class="legend">' + "".join(items) + "</g>"


def _open(chart: Chart, height: float, min_group: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart.id}" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" aria-labelledby="{chart.id}-title {chart.id}-desc">'
        f'<title id="{chart.id}-title">{escape(chart.title)}</title>'
        f'<desc id="{chart.id}-desc">{escape(describe(chart, min_group))}</desc>' + _defs(chart)
    )


def columns(chart: Chart, min_group: int) -> str:
    """Vertical bars, grouped by category (rounds along the bottom)."""
    height, left, right, top, bottom = 260.0, 44.0, 8.0, 36.0, 30.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    scale = _scale(chart)
    parts = [_open(chart, height, min_group), _legend(chart, 14)]
    for tick in (0.0, scale / 2, scale):
        y = top + plot_h - plot_h * tick / scale
        label = f"{tick:g}{chart.unit}"
        parts.append(
            f'<line class="grid" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    n, k = max(1, len(chart.categories)), max(1, len(chart.series))
    slot = plot_w / n
    bar = min(28.0, slot * 0.8 / k)
    for i, category in enumerate(chart.categories):
        start = left + slot * i + (slot - bar * k) / 2
        for j, series in enumerate(chart.series):
            value, x = series.values[i], start + bar * j
            if value is None:
                parts.append(
                    f'<text class="withheld" x="{x + bar / 2:.1f}" y="{top + plot_h - 4:.1f}" '
                    f'text-anchor="middle">{escape(short(value, chart, min_group))}</text>'
                )
                continue
            h = plot_h * min(value, scale) / scale
            y = top + plot_h - h
            parts.append(
                f'<rect {_fill(chart, j)} x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}"/>'
            )
            if bar >= 14:
                parts.append(
                    f'<text class="value" x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                    f"{escape(short(value, chart, min_group))}</text>"
                )
        parts.append(
            f'<text class="label" x="{left + slot * i + slot / 2:.1f}" y="{height - 10:.0f}" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{WIDTH - right}" y1="{top + plot_h}" y2="{top + plot_h}"/></svg>'
    )
    return "".join(parts)


def rows(chart: Chart, min_group: int) -> str:
    """Horizontal bars, one row per category (skills, ratings), its series stacked under each other."""
    label_w, right, top, bar, gap = 150.0, 44.0, 30.0, 14.0, 10.0
    k = max(1, len(chart.series))
    height = top + len(chart.categories) * (bar * k + gap) + 8
    plot_w = WIDTH - label_w - right
    scale = _scale(chart)
    parts = [_open(chart, height, min_group), _legend(chart, 14)]
    for i, category in enumerate(chart.categories):
        y0 = top + i * (bar * k + gap)
        name = category if len(category) <= 22 else category[:21] + "…"
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y0 + bar * k / 2 + 4:.1f}" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        for j, series in enumerate(chart.series):
            value, y = series.values[i], y0 + bar * j
            text_at = label_w + 4
            if value is not None:
                w = plot_w * min(value, scale) / scale
                parts.append(
                    f'<rect {_fill(chart, j)} x="{label_w}" y="{y:.1f}" width="{w:.1f}" height="{bar - 2:.1f}"/>'
                )
                text_at = label_w + w + 4
            css = "value" if value is not None else "withheld"
            parts.append(
                f'<text class="{css}" x="{text_at:.1f}" y="{y + bar - 4:.1f}">'
                f"{escape(short(value, chart, min_group))}</text>"
            )
    parts.append(
        f'<line class="axis" x1="{label_w}" x2="{label_w}" y1="{top - 4}" y2="{height - 8:.0f}"/></svg>'
    )
    return "".join(parts)
