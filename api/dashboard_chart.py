"""Geometry of the decisions-per-month chart: one stacked bar per month, granted below denied.

Computed here and drawn as inline SVG by the template, so the page needs no script and no
chart library, and the Content-Security-Policy can forbid both.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.dashboard_queries import MonthlyDecisions

WIDTH = 720
HEIGHT = 220
MARGIN_LEFT = 40  # room for the scale
MARGIN_BOTTOM = 30  # room for the month labels
GAP = 0.2  # fraction of a month's slot left between bars


@dataclass(frozen=True)
class Bar:
    month: str
    granted: int
    denied: int
    x: float
    width: float
    granted_y: float
    granted_height: float
    denied_y: float
    denied_height: float
    labelled: bool  # every month cannot be labelled on a long history


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    left: int
    peak: int  # decisions in the busiest month: the top of the scale
    bars: list[Bar]


def decisions_chart(months: list[MonthlyDecisions]) -> Chart:
    plot_height = HEIGHT - MARGIN_BOTTOM - 10
    baseline = float(HEIGHT - MARGIN_BOTTOM)
    peak = max((m.granted + m.denied for m in months), default=0)
    slot = (WIDTH - MARGIN_LEFT) / max(len(months), 1)
    label_every = max(1, len(months) // 12)
    bars = []
    for index, month in enumerate(months):
        granted_height = plot_height * month.granted / peak if peak else 0.0
        denied_height = plot_height * month.denied / peak if peak else 0.0
        bars.append(
            Bar(
                month=month.month,
                granted=month.granted,
                denied=month.denied,
                x=round(MARGIN_LEFT + index * slot + slot * GAP / 2, 2),
                width=round(slot * (1 - GAP), 2),
                granted_y=round(baseline - granted_height, 2),
                granted_height=round(granted_height, 2),
                denied_y=round(baseline - granted_height - denied_height, 2),
                denied_height=round(denied_height, 2),
                labelled=index % label_every == 0,
            )
        )
    return Chart(WIDTH, HEIGHT, baseline, MARGIN_LEFT, peak, bars)
