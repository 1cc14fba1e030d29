"""Every answer as .xlsx (anonymous: no token, address or device), built by the jobs service;
and the one-time tokens as a .pdf sheet of QR codes."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone
from fpdf import FPDF

from wenming.accounts.scope import scoped_get
from wenming.core.fonts import font_for
from wenming.core.xlsx_safe import new_workbook
from wenming.jobs.models import Job
from wenming.jobs.services import Progress, register_job, result_dir
from wenming.surveys.access import questionnaires_visible_to, runs_questionnaire
from wenming.surveys.models import Answer, Flag, Response, Target, Token, Version
from wenming.surveys.results import region_of

FLAG_LABELS = dict(Flag.choices)
BATCH = 2000


@register_job("survey_answers")
def build_answers(job: Job, progress: Progress) -> Path:
    # asked again as the owner when the job runs
    questionnaire = scoped_get(
        questionnaires_visible_to(job.owner),
        int(job.params["questionnaire"]),
        missing="问卷不存在或无权查看",
    )
    if not runs_questionnaire(job.owner, questionnaire):
        raise PermissionError("只有活动所在地区的文明办可以导出答卷")
    version = Version.objects.get(pk=int(job.params["version"]), questionnaire=questionnaire)
    questions = list(version.questions.all())
    columns = {q.pk: i for i, q in enumerate(questions)}
    targets = {
        t.pk: t
        for t in Target.objects.filter(questionnaire=questionnaire).select_related(
            "unit__region", "region"
        )
    }
    wb = new_workbook(write_only=True)
    sheet = wb.create_sheet("答卷")
    sheet.append(
        ["序号", "调查对象", "地区", "提交日期", "用时(秒)", "质量提示", "剔除理由"]
        + [f"{q.key} {q.text}" for q in questions]
    )
    responses = Response.objects.filter(version=version).order_by("id")
    total = responses.count()
    done = 0
    last_id = 0
    while True:
        chunk = list(responses.filter(id__gt=last_id)[:BATCH])
        if not chunk:
            break
        values: dict[int, list[list[str]]] = {r.pk: [[] for _ in questions] for r in chunk}
        for a in Answer.objects.filter(response__in=[r.pk for r in chunk]).order_by("id"):
            cell = a.option or a.text or ("" if a.number is None else f"{a.number.normalize():f}")
            values[a.response_id][columns[a.question_id]].append(cell)
        for r in chunk:
            target = targets[r.target_id]
            done += 1
            sheet.append(
                [
                    done,
                    target.name,
                    region_of(target),
                    timezone.localtime(r.submitted_at).date(),
                    r.seconds,
                    "、".join(FLAG_LABELS.get(f, f) for f in r.flags),
                    r.exclude_reason,
                ]
                + ["、".join(v) for v in values[r.pk]]
            )
        last_id = chunk[-1].pk
        progress(done, total, f"已写入{done}份答卷")
    descriptor, name = tempfile.mkstemp(dir=result_dir(), suffix=".xlsx")
    with open(descriptor, "wb") as out:
        wb.save(out)
    Job.objects.filter(pk=job.pk).update(
        result_name=f"{questionnaire.title}第{version.number}版答卷{timezone.localdate():%Y%m%d}.xlsx"
    )
    return Path(name)


def answer_url(base: str, questionnaire_code: str, token: str) -> str:
    return f"{base}/s/{questionnaire_code}/?t={token}"


def tokens_pdf(
    *, title: str, target_name: str, tokens: list[Token], base: str, per_page: int = 12
) -> bytes:
    """A sheet of QR codes (per_page on each A4 page: 6, 12 or 20), each with its code."""
    cols, rows = {6: (2, 3), 12: (3, 4), 20: (4, 5)}.get(per_page, (3, 4))
    pdf = FPDF()
    font, face = font_for(
        title
        + target_name
        + "扫码作答每个二维码只能使用一次码第页0123456789abcdefghjkmnpqrstuvwxyz",
        cache_dir=Path(settings.MEDIA_ROOT) / "fonts",
    )
    pdf.add_font("cjk", fname=str(font), collection_font_number=face)
    pdf.set_auto_page_break(auto=False)
    width, height = 190 / cols, 255 / rows
    size = min(width, height - 16) - 4
    for start in range(0, len(tokens), cols * rows):
        pdf.add_page()
        pdf.set_font("cjk", size=12)
        pdf.set_xy(10, 10)
        pdf.cell(190, 8, text=f"{title} · {target_name}", align="C")
        pdf.set_font("cjk", size=8)
        pdf.set_xy(10, 17)
        pdf.cell(190, 5, text="扫码作答,每个二维码只能使用一次", align="C")
        for i, token in enumerate(tokens[start : start + cols * rows]):
            x = 10 + (i % cols) * width
            y = 25 + (i // cols) * height
            qr = segno.make(answer_url(base, token.questionnaire.code, token.code), error="m")
            image = io.BytesIO()
            qr.save(image, kind="png", scale=6, border=2)
            image.seek(0)
            pdf.image(image, x=x + (width - size) / 2, y=y, w=size, h=size)
            pdf.set_xy(x, y + size + 1)
            pdf.set_font("cjk", size=9)
            pdf.cell(width, 5, text=f"码 {token.code}", align="C")
    return bytes(pdf.output())
