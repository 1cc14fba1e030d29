"""The scoring page's items, written in Python (wenming.onsite.views.sections), are the HTML the
template loop wrote (tests/onsite/item_sections_before.html, kept as it was): every leaf of
every library framework and of the test frameworks, unscored, scored, 不适用 and with photos,
for a member who may score and for a reader who may not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from wenming.assessments.inputs import counts_shown, input_spec
from wenming.attachments.models import Attachment
from wenming.core.engine import Engine
from wenming.core.formats import framework_load
from wenming.core.points import fmt
from wenming.core.styles import NA_TEXT
from wenming.onsite.models import Photo, Score
from wenming.onsite.screen import ScoreItem
from wenming.onsite.views.sections import item_sections

HERE = Path(__file__).parent
FRAMEWORKS = [
    *sorted((HERE.parent.parent / "wenming" / "library").glob("*.yaml")),
    HERE.parent / "data" / "rules.yaml",
    HERE.parent / "data" / "mini.yaml",
]
TOKEN = "t0ken<&>\"'"


def _value(style, n: int) -> str:
    """An entry of the style's own kind, varied by ``n``."""
    key = style.key
    if key == "letter":
        grades = [str(g) for g in style.table]
        return grades[n % len(grades)]
    if key == "yesno":
        return "是" if n % 2 else "否"
    if key in ("findings", "awards"):
        shown = counts_shown(style, "")
        return ",".join(str(i + n % 3) for i in range(len(shown)))
    return str(n % 4)


def _items(path: Path) -> list[ScoreItem]:
    framework = framework_load(path)
    engine = Engine(framework)
    items, names = [], {}
    for n, (node, parent, _) in enumerate(framework.walk()):
        names[node.code] = node.name
        if not node.is_leaf:
            continue
        style = engine.styles[node.code]
        spec = input_spec(style, framework)
        score = photos = None
        if n % 3:  # two in three scored; some 不适用, some with reasons, notes and photos
            value = NA_TEXT if spec.allow_na and n % 2 else _value(style, n)
            score = Score(
                client_id=uuid.UUID(int=n),
                value=value,
                score_centi=n * 25,
                reason="现场<查看>发现不足" if n % 2 else "",
                note="说明 & 备注" if n % 5 else "",
            )
        if score is not None and n % 4 == 1:
            attachment = Attachment(id=100 + n, name=f"照片{n}.jpg")
            photos = [
                Photo(
                    attachment=attachment,
                    taken_at=datetime(2026, 6, 30, 2, 5, tzinfo=UTC),
                    latitude=Decimal("30.123400"),
                    longitude=Decimal("120.000001"),
                ),
                Photo(attachment=Attachment(id=200 + n, name='a"b.jpg')),
            ]
        items.append(
            ScoreItem(
                node=node,
                path=names.get(parent.code, "") if parent else "",
                style=style,
                points=fmt(style.points),
                grades=list(getattr(style, "table", {})),
                spec=spec,
                score=score,
                photos=photos or [],
                evidence_ok=n % 2 == 0,
                evidence="缺少<照片>;记录不全" if n % 4 == 1 else "",
            )
        )
    return items


@pytest.mark.parametrize("path", FRAMEWORKS, ids=lambda p: p.stem)
@pytest.mark.parametrize("can_score", [True, False])
def test_the_items_are_written_as_the_template_wrote_them(path, can_score):
    items = _items(path)
    assert items
    a = SimpleNamespace(pk=7, unit_id=11, campaign=SimpleNamespace(edition_id=3))
    note = "不适用的指标<按比例>折算"
    before = Template((HERE / "item_sections_before.html").read_text()).render(
        Context(
            {"items": items, "a": a, "can_score": can_score, "na_note": note, "csrf_token": TOKEN}
        )
    )
    after = item_sections(
        items,
        a,  # type: ignore[arg-type]  # what the page reads of an assignment
        can_score=can_score,
        na_note=note,
        csrf_token=TOKEN,
    )
    assert after + "\n" == before  # the fragment file ends with a newline
    assert "<按比例>" not in after and "<查看>" not in after
    assert ("t0ken&lt;&amp;&gt;" in after) is can_score
