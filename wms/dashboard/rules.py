"""Server-rendered SVG charts: plain functions from numbers to markup.

Colours are the Okabe-Ito palette, readable with the common kinds of colour
blindness; every bar also carries its number, so colour is never the only cue.
Pure: figures in, SVG out; no session, no Flask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from wms.base.errors import InvalidInput
from wms.base.i18n import _
from wms.dashboard.models import ALERT_KIND_LABELS, AlertKind

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    width: int = 360,
    height: int = 180,
    colour: str = PALETTE[0],
) -> str:
    """Vertical bars with their value on top and the label below."""
    return grouped_bars(labels, [Series(title, values)], title, width, height, (colour,))


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[Series],
    title: str,
    width: int = 640,
    height: int = 200,
    colours: Sequence[str] = PALETTE,
) -> str:
    top, bottom, left, right = 18, 28, 8, 8
    plot_h = height - top - bottom
    plot_w = width - left - right
    n = max(1, len(labels))
    peak = max([v for s in series for v in s.values] + [1])
    slot = plot_w / n
    bar_w = max(2.0, (slot - 4) / max(1, len(series)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        'stroke="#888" stroke-width="1"/>',
    ]
    for i, label in enumerate(labels):
        x0 = left + i * slot + 2
        for j, s in enumerate(series):
            value = s.values[i] if i < len(s.values) else 0
            h = 0 if peak == 0 else plot_h * value / peak
            x = x0 + j * bar_w
            y = top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                f'fill="{colours[j % len(colours)]}"><title>{escape(s.name)} {escape(label)}: '
                f"{_num(value)}</title></rect>"
            )
            if value and bar_w >= 10:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="10" '
                    f'text-anchor="middle">{_num(value)}</text>'
                )
        parts.append(
            f'<text x="{x0 + slot / 2 - 2:.1f}" y="{height - 10}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if len(series) > 1:
        for j, s in enumerate(series):
            x = left + j * 110
            parts.append(
                f'<rect x="{x}" y="2" width="10" height="10" fill="{colours[j % len(colours)]}"/>'
                f'<text x="{x + 14}" y="11" font-size="11">{escape(s.name)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def read_thresholds(form: Mapping[str, str]) -> dict[str, tuple[float, bool]]:
    """The thresholds form: each alert kind's threshold and whether it is on."""
    values: dict[str, tuple[float, bool]] = {}
    for kind in AlertKind:
        raw = form.get(f"{kind.value}_threshold", "").strip()
        try:
            value = float(raw)
        except ValueError as exc:
            raise InvalidInput(
                _(
                    "The threshold for %(kind)s must be a number.",
                    kind=_(ALERT_KIND_LABELS[kind]),
                )
            ) from exc
        if value < 0:
            raise InvalidInput(_("Thresholds cannot be negative."))
        values[kind.value] = (value, form.get(f"{kind.value}_enabled") == "on")
    return values
