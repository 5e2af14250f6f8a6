"""Geometry of the Insights page's server-rendered SVG charts (issue #14): plain numbers for
the templates in crm/templates/crm/insights/, no JavaScript. Each chart has a viewBox and
scales to its container; colours come from classes in app.css (CSP forbids inline styles)."""

from outreach.pipeline import FUNNEL_STAGES

WIDTH = 640
VALUE_WIDTH = 120
ROW = 30


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rate_bars(rows: list[dict], *, rate_key: str = "reply_rate") -> dict:
    """Horizontal bars, one per row, as long as its rate (0–100 %)."""
    width, label_width = 520, 180
    span = width - label_width - VALUE_WIDTH
    bars = []
    for i, row in enumerate(rows):
        rate = row[rate_key] or 0
        bars.append(
            {
                "label": _short(str(row["label"])),
                "y": i * ROW + 6,
                "text_y": i * ROW + 20,
                "width": round(span * rate, 1),
                "value": f"{round(rate * 100)}% ({row['replies']} of {row['used']})",
                "value_x": label_width + round(span * rate, 1) + 6,
            }
        )
    return {"width": width, "height": max(1, len(rows)) * ROW + 4, "bar_x": label_width, "bars": bars}


def funnel_lines(funnel: list[dict], *, unit: str) -> dict:
    """One polyline per funnel stage over the weeks (or months) of the period."""
    left, right, top, bottom = 36, 12, 12, 28
    height = 220
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    peak = max([1] + [row[stage] for row in funnel for stage in FUNNEL_STAGES])
    step = plot_w / max(1, len(funnel) - 1)

    def point(i, n):
        return round(left + i * step, 1), round(top + plot_h - plot_h * n / peak, 1)

    series = []
    for stage in FUNNEL_STAGES:
        points = [point(i, row[stage]) for i, row in enumerate(funnel)]
        series.append(
            {
                "stage": stage,
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": [{"x": x, "y": y} for x, y in points],
            }
        )
    every = max(1, len(funnel) // 6)
    ticks = [
        {"x": point(i, 0)[0], "label": row["start"].strftime("%-d %b" if unit == "week" else "%b %Y")}
        for i, row in enumerate(funnel)
        if i % every == 0
    ]
    return {
        "width": WIDTH,
        "height": height,
        "series": series,
        "ticks": ticks,
        "axis_y": top + plot_h,
        "left": left,
        "right": WIDTH - right,
        "peak": peak,
        "peak_y": top + 4,
        "tick_y": height - 8,
    }


def heat_level(total: int, peak: int) -> int:
    """0 for nothing, else 1–4 by quarter of the busiest day."""
    if not total or not peak:
        return 0
    return min(4, -(-4 * total // peak))


def heatmap_cells(heatmap: list[list[dict]]) -> dict:
    """A column per week, a row per weekday (Monday on top)."""
    cell, gap, left, top = 22, 4, 40, 22
    peak = max([0] + [day["total"] for week in heatmap for day in week])
    cells, months = [], []
    for w, week in enumerate(heatmap):
        x = left + w * (cell + gap)
        if w == 0 or week[0]["day"].month != heatmap[w - 1][0]["day"].month:
            months.append({"x": x, "label": week[0]["day"].strftime("%b")})
        for d, day in enumerate(week):
            if day["future"]:
                continue
            cells.append(
                {
                    "x": x,
                    "y": top + d * (cell + gap),
                    "level": heat_level(day["total"], peak),
                    "title": f"{day['day']:%a %-d %b}: {day['requests']} requests, {day['chats']} chats held, "
                    f"{day['touches']} touches",
                }
            )
    weekdays = [{"y": top + d * (cell + gap) + 15, "label": label} for d, label in ((0, "Mon"), (2, "Wed"), (4, "Fri"))]
    return {
        "width": left + len(heatmap) * (cell + gap),
        "height": top + 7 * (cell + gap),
        "cell": cell,
        "cells": cells,
        "months": months,
        "weekdays": weekdays,
        "peak": peak,
    }


def goal_bars(weeks: list[dict], goal: int) -> dict:
    """A column per ISO week (requests sent) and a dashed line at the goal."""
    left, top, bottom = 36, 12, 28
    height = 200
    plot_h = height - top - bottom
    peak = max([goal, 1] + [week["requests"] for week in weeks])
    slot = (WIDTH - left) / max(1, len(weeks))

    def y_of(n):
        return round(top + plot_h - plot_h * n / peak, 1)

    bars = []
    for i, week in enumerate(weeks):
        y = y_of(week["requests"])
        bars.append(
            {
                "x": round(left + i * slot + slot * 0.15, 1),
                "y": y,
                "width": round(slot * 0.7, 1),
                "height": round(top + plot_h - y, 1),
                "met": week["met"],
                "label": week["start"].strftime("%-d %b"),
                "label_x": round(left + i * slot + slot / 2, 1),
                "show_label": i % 2 == 0 or i == len(weeks) - 1,
                "title": f"Week of {week['start']:%-d %b}: {week['requests']} requests",
            }
        )
    return {
        "width": WIDTH,
        "height": height,
        "bars": bars,
        "goal_y": y_of(goal),
        "axis_y": top + plot_h,
        "left": left,
        "tick_y": height - 8,
        "peak": peak,
    }
