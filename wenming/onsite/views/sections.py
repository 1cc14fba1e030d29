"""The scoring page's items written in Python (wenming.web.rows) instead of a template loop.

An expert's phone loads the page with every leaf of the framework (150 items): the template
loop cost ≈ 40 ms of the page's 50 ms, as much as a sync of 30 entries, and the test week's
peak is these two requests. The HTML is what the loop wrote, byte for byte
(``tests/onsite/test_sections.py`` renders both).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from wenming.onsite.models import Assignment, Photo
from wenming.onsite.screen import ScoreItem
from wenming.web.rows import esc, id_url


@cache
def _evidence_url() -> str:
    return reverse("ledger:evidence")


def _checked(on: bool) -> str:
    return " checked" if on else ""


def _number(value: Decimal | None) -> str:
    """``{{ value }}`` for a decimal, as the template localises it (digits kept, no exponent)."""
    return "None" if value is None else esc(format(value, "f"))


def _moment(value: datetime) -> str:
    """``|date:"Y-m-d H:i"``."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _photos(photos: list[Photo]) -> str:
    out = ['<div class="files">']
    for p in photos:
        taken = _moment(p.taken_at) if p.taken_at else ""
        where = f" {_number(p.latitude)},{_number(p.longitude)}" if p.latitude else ""
        out.append(
            f'<a class="file" href="{id_url("files:download", p.attachment_id)}">'
            f'<img src="{id_url("files:thumb", p.attachment_id)}" alt="{esc(p.attachment.name)}">'
            f"{taken}{where}</a>"
        )
    out.append("</div>")
    return "".join(out)


def _entry(item: ScoreItem, code: str) -> str:
    """The input of the item's scoring style (the template's ``{% with %}`` block)."""
    key, v, spec = item.style.key, esc(item.value), item.spec
    if key == "letter":
        choices = "".join(
            f'<label><input type="radio" name="value-{code}" data-field="value" value="{esc(g)}"'
            f"{_checked(item.value == g)}> {esc(g)}</label>"
            for g in item.grades
        )
        body = f'<fieldset class="choices"><legend>等级</legend>{choices}</fieldset>'
    elif key == "yesno":
        body = (
            '<fieldset class="choices"><legend>是否达到</legend><label><input type="radio"'
            f' name="value-{code}" data-field="value" value="是"{_checked(item.value == "是")}>'
            f' 是</label><label><input type="radio" name="value-{code}" data-field="value"'
            f' value="否"{_checked(item.value == "否")}> 否</label></fieldset>'
        )
    elif key == "deduction":
        body = (
            '<label>发现问题处数<input type="number" data-field="value" min="0" step="1"'
            f' inputmode="numeric" value="{v}"></label>'
        )
    elif key == "measured":
        body = (
            '<label>实测值<input type="number" data-field="value" min="0" step="any"'
            f' inputmode="decimal" value="{v}"></label>'
        )
    elif key == "tiered":
        prompt = esc(spec.prompt) if spec else ""
        bands = "".join(
            f"<li>{esc(b.reach)}:{esc(b.points)}分</li>" for b in (spec.bands if spec else ())
        )
        body = (
            f'<label>{prompt}<input type="number" data-field="value" min="0" step="any"'
            f' inputmode="decimal" value="{v}"></label>\n        <ul class="bands"'
            f' aria-label="分档">{bands}<li>其他:0分</li></ul>'
        )
    elif key in ("findings", "awards"):
        prompt = esc(spec.prompt) if spec else ""
        counts = "".join(
            f'<label>{esc(name)}<span class="muted">({esc(amount)})</span><input type="number"'
            f' data-field="count" data-kind="{esc(name)}" min="0" step="1" inputmode="numeric"'
            f' value="{esc(n)}"></label>'
            for name, amount, n in item.counts
        )
        body = f'<fieldset class="counts"><legend>{prompt}</legend>{counts}</fieldset>'
    else:
        points = esc(item.points)
        body = (
            f'<label>得分(0–{points})<input type="number" data-field="value" min="0"'
            f' max="{points}" step="0.01" inputmode="decimal" value="{v}"></label>'
        )
    return f"\n      \n      \n        {body}\n      \n      \n      "


def item_sections(
    items: list[ScoreItem],
    a: Assignment,
    *,
    can_score: bool,
    na_note: str,
    csrf_token: str,
) -> SafeString:
    """Every item's section of the scoring page, in order."""
    evidence_link = f"{_evidence_url()}?unit={esc(a.unit_id)}&edition={esc(a.campaign.edition_id)}"
    photo_url = id_url("onsite:photo", a.pk)
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token)
    out = []
    for item in items:
        node, score, spec = item.node, item.score, item.spec
        code, points = esc(node.code), esc(item.points)
        scored = score is not None
        client = f' data-client-id="{esc(score.client_id)}"' if score is not None else ""
        path = f'<div class="meta">{esc(item.path)}</div>' if item.path else ""
        methods = "".join(f'<span class="method">{esc(m)}</span>' for m in node.methods) or (
            '<span class="muted">测评方法未注明</span>'
        )
        requirement = f'<div class="req">{esc(node.requirement)}</div>' if node.requirement else ""
        rule = f'<div class="meta">评分标准:{esc(spec.rule)}</div>' if spec and spec.rule else ""
        if item.evidence_ok:
            evidence = '<span class="ev complete">完整</span>'
        else:
            evidence = (
                '<span class="ev incomplete">不完整</span>'
                f' <span class="muted">{esc(item.evidence)}</span>'
            )
        na = (
            '<label class="na"><input type="checkbox" data-field="na" value="1"'
            f'{_checked(item.na)}> 不适用</label><p class="muted small">{esc(na_note)}</p>'
            if spec and spec.allow_na
            else ""
        )
        reason = esc(score.reason) if score is not None else ""
        note = esc(score.note) if score is not None else ""
        state = f"已保存:{esc(score.value)},得{esc(item.score_text)}分" if score is not None else ""
        form = (
            f'\n    <form class="photo" method="post" enctype="multipart/form-data"'
            f' action="{photo_url}" data-code="{code}">{csrf}\n      <input type="hidden"'
            f' name="code" value="{code}">\n      <label>现场照片<input type="file" name="photo"'
            ' accept="image/*" capture="environment"></label><button class="small">上传</button>'
            '\n      <span class="photo-state muted small"></span>\n    </form>\n    '
            if can_score
            else ""
        )
        photos = _photos(item.photos) if item.photos else ""
        out.append(
            f'\n  <section class="item onsite-item{" scored" if scored else ""}" id="i-{code}"'
            f' data-code="{code}" data-points="{points}"{client}>\n    <div class="item-head">'
            f'<span class="code">{code}</span><strong>{esc(node.name)}</strong>'
            f'<span class="pts">{points}分</span></div>\n    {path}\n    <div class="methods">'
            f'{methods} <span class="muted">{esc(item.style.label)}</span></div>\n    '
            f'{requirement}\n    {rule}\n    <div class="evidence">佐证材料:{evidence}'
            f' <a href="{evidence_link}#e-{code}">查看台账</a></div>\n    <div class="entry'
            f' onsite-entry">{_entry(item, code)}{na}\n      <label>扣分理由<input type="text"'
            f' data-field="reason" maxlength="500" value="{reason}" placeholder="有扣分时必填">'
            '</label>\n      <label class="note">说明<textarea data-field="note" maxlength="500"'
            f' rows="1">{note}</textarea></label>\n      <div class="entry-state muted">{state}'
            f"</div>\n    </div>\n    {form}\n    {photos}\n  </section>\n"
        )
    return mark_safe("".join(out))  # every value escaped by esc
