"""Plotly figure specs (data + layout) for each dashboard table.

The page embeds each spec as JSON next to its table; our own script draws it with the
plotly.js that ships in the plotly package and is served by the product (never a CDN).
"""

from __future__ import annotations

from typing import Any

from wenming.dashboards.selectors import Table

FONT = {"family": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, SimHei, sans-serif", "size": 13}
COLORS = ["#2f5d8a", "#c0392b", "#e6a23c", "#67a36a", "#8e6bb5", "#4aa3b5", "#9a9a9a", "#d77fa1"]


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 60},
        "height": 320,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": COLORS,
        "hoverlabel": {"font": FONT},
        "legend": {"orientation": "h", "y": -0.2},
    }
    layout.update(extra)
    return layout


def figure(table: Table) -> dict[str, Any]:
    return _MAKERS[table.key](table)


def _states(table: Table) -> dict[str, Any]:
    rows = table.rows[:-1]  # without 合计
    return {
        "data": [
            {
                "type": "bar",
                "x": [r[0] for r in rows],
                "y": [r[1] for r in rows],
                "text": [r[1] for r in rows],
                "textposition": "outside",
                "cliponaxis": False,
                "marker": {"color": COLORS[0]},
                "hovertemplate": "%{x}:%{y}份<extra></extra>",
            }
        ],
        "layout": _layout(
            yaxis={"title": {"text": "申报数"}, "rangemode": "tozero"}, xaxis={"automargin": True}
        ),
    }


def _grades(table: Table) -> dict[str, Any]:
    every = [r[0] for r in table.rows[:-1]]
    rows = [r for r in table.rows[:-1] if r[1]]
    return {
        "data": [
            {
                "type": "pie",
                "labels": [r[0] for r in rows],
                "values": [r[1] for r in rows],
                "hole": 0.45,
                "marker": {"colors": [_grade_color(every.index(r[0]), len(every)) for r in rows]},
                "sort": False,
                "textinfo": "label+value",
                "hovertemplate": "%{label}:%{value}个(%{percent})<extra></extra>",
            }
        ],
        "layout": _layout(margin={"l": 20, "r": 20, "t": 20, "b": 20}),
    }


def _horizontal_bars(
    labels: list[str], values: list[Any], *, color: str, axis: str, hover: str
) -> dict[str, Any]:
    """Bars from left to right, one per label, the value written inside each."""
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": values,
                "text": values,
                "textposition": "inside",
                "textangle": 0,
                "insidetextanchor": "end",
                "marker": {"color": color},
                "hovertemplate": hover,
            }
        ],
        "layout": _layout(
            height=max(320, 24 * len(labels) + 60),
            margin={"l": 260, "r": 20, "t": 10, "b": 40},
            xaxis={"title": {"text": axis}},
            yaxis={"automargin": True},
        ),
    }


def _ranking(table: Table) -> dict[str, Any]:
    rows = table.rows[:20][::-1]  # the chart shows the first 20, best at the top
    return _horizontal_bars(
        [f"{r[0]}. {r[1]}" for r in rows],
        [r[3] for r in rows],
        color=COLORS[0],
        axis="得分",
        hover="%{y}:%{x}分<extra></extra>",
    )


def _weakest(table: Table) -> dict[str, Any]:
    rows = table.rows[::-1]
    return _horizontal_bars(
        [f"{r[0]} {r[1][:16]}" for r in rows],
        [r[3] for r in rows],
        color=COLORS[1],
        axis="平均失分",
        hover="%{y}:平均失分%{x}<extra></extra>",
    )


def _trend(table: Table) -> dict[str, Any]:
    years = [r[0] for r in table.rows]
    series = [("申报数", 1, "bar"), ("达标数", 2, "bar"), ("命名称号数", 4, "scatter")]
    return {
        "data": [
            {
                "type": kind,
                "name": name,
                "x": years,
                "y": [r[column] for r in table.rows],
                **({"mode": "lines+markers"} if kind == "scatter" else {}),
                "hovertemplate": f"%{{x}} {name}:%{{y}}<extra></extra>",
            }
            for name, column, kind in series
        ],
        "layout": _layout(barmode="group", xaxis={"type": "category"}),
    }


def _targets(table: Table) -> dict[str, Any]:
    rows = table.rows[::-1]  # the first row at the top
    names = [r[0] for r in rows]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": "年度目标",
                "y": names,
                "x": [r[2] for r in rows],
                "marker": {"color": "#c9d3df"},
                "hovertemplate": "%{y} 目标:%{x}<extra></extra>",
            },
            {
                "type": "bar",
                "orientation": "h",
                "name": "达标数",
                "y": names,
                "x": [r[3] for r in rows],
                "customdata": [r[4] for r in rows],
                "marker": {"color": COLORS[3]},
                "hovertemplate": "%{y} 达标:%{x}(完成%{customdata})<extra></extra>",
            },
        ],
        "layout": _layout(
            barmode="group",
            height=max(320, 30 * len(rows) + 80),
            margin={"l": 160, "r": 20, "t": 10, "b": 40},
            yaxis={"automargin": True, "type": "category"},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
        ),
    }


def _grade_color(index: int, count: int) -> str:
    """Best grade green, worst red, the ones between amber."""
    if index == 0:
        return "#4f9a5b"
    if index == count - 1:
        return "#c0392b"
    return "#e6a23c"


_MAKERS = {
    "states": _states,
    "grades": _grades,
    "ranking": _ranking,
    "weakest": _weakest,
    "trend": _trend,
    "targets": _targets,
}
