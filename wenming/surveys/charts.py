"""Plotly figure specs for the results page (drawn by the dashboards' script with the plotly.js
the product serves; never a CDN)."""

from __future__ import annotations

from typing import Any

from wenming.surveys.models import Target
from wenming.surveys.results import MappingRates, QuestionCounts

FONT = {"family": "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, SimHei, sans-serif", "size": 13}
COLORS = ["#2f5d8a", "#67a36a", "#e6a23c", "#c0392b", "#8e6bb5", "#4aa3b5"]


def _layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 80},
        "height": 300,
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": COLORS,
        "legend": {"orientation": "h", "y": -0.3},
    }
    layout.update(extra)
    return layout


def specs(
    rates: list[MappingRates], counts: list[QuestionCounts], targets: list[Target]
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, r in enumerate(rates):
        names = [t.name for t in targets]
        values = [float(r.by_target[t.pk].percent or 0) for t in targets]
        out.append(
            {
                "id": f"rate-{i}",
                "spec_id": f"rate-{i}-spec",
                "title": f"指标{r.mapping.code}满意率(%)",
                "spec": {
                    "data": [
                        {
                            "type": "bar",
                            "x": names,
                            "y": values,
                            "text": [f"{v:g}%" for v in values],
                            "textposition": "outside",
                            "cliponaxis": False,
                            "marker": {"color": COLORS[0]},
                            "hovertemplate": "%{x}:%{y}%<extra></extra>",
                        }
                    ],
                    "layout": _layout(yaxis={"range": [0, 110], "title": {"text": "满意率(%)"}}),
                },
            }
        )
    for j, qc in enumerate(counts[:20]):
        if not qc.total:
            continue
        out.append(
            {
                "id": f"q-{j}",
                "spec_id": f"q-{j}-spec",
                "title": f"{qc.question.key} {qc.question.text}",
                "spec": {
                    "data": [
                        {
                            "type": "bar",
                            "x": [o for o, _ in qc.counts],
                            "y": [n for _, n in qc.counts],
                            "text": [n for _, n in qc.counts],
                            "textposition": "outside",
                            "cliponaxis": False,
                            "marker": {"color": COLORS[1]},
                            "hovertemplate": "%{x}:%{y}人<extra></extra>",
                        }
                    ],
                    "layout": _layout(yaxis={"title": {"text": "人数"}, "rangemode": "tozero"}),
                },
            }
        )
    return out
