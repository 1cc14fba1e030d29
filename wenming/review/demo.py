"""Demo data of the material review: the shipped 范文 in the reference library, one school whose
report is copied from a template (with unfilled placeholders), one written in its own words."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image, ImageDraw

from wenming.attachments.services import attachment_store
from wenming.campaigns.models import Application, State
from wenming.documents.models import ReportSection, SelfInspectionReport
from wenming.ledger.models import Activity, ActivityType
from wenming.review.models import ReviewedText, TextKind
from wenming.review.services import check_run, library_upload

SAMPLES = Path(__file__).resolve().parent / "samples"

COPIED = """近年来，我校坚持以习近平新时代中国特色社会主义思想为指导，把精神文明建设摆在突出位置，与业务工作同部署、同落实、同考核，创建工作取得了明显成效。
我校现有在职教职工××名，内设办公室、教务处、总务处等七个处室，离退休人员名。
（一）加强组织领导，健全工作机制。学校成立了由主要负责同志任组长的创建工作领导小组，下设办公室，配备专职人员负责日常工作，制定年度创建计划和任务分解表，把每一项指标落实到处室、落实到个人，形成了一级抓一级、层层抓落实的工作格局。
（三）深化志愿服务，树立良好社会形象。组建学雷锋志愿服务队，常态化开展进社区、进学校、进敬老院活动，为困难群众送去米面油等生活物资，帮助社区清理卫生死角，20*年志愿服务时长累计超过三千小时，受到群众普遍好评。"""

OWN = """我校把每周一的升旗仪式交给各班轮流主持，由学生自己讲述身边同学助人为乐的小事，一学期下来共讲了十八个故事。
学校食堂去年更换了全部餐具消毒柜，家长委员会每月两次随机陪餐，并把意见贴在食堂门口的公示栏。
今年春季我们和街道卫生服务中心合作，为全体学生建立了视力档案，近视率比上年下降了一点二个百分点。"""


def _picture(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", size, (200, 220, 240))
    draw = ImageDraw.Draw(image)
    for _ in range(24):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        box = (x, y, x + rng.randrange(60, 300), y + rng.randrange(60, 240))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.rectangle if rng.random() < 0.5 else draw.ellipse)(box, fill=colour)
    return image


def _jpeg(image: Image.Image, quality: int) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    out.seek(0)
    return out


def _reused_photos(application: Application, office: User) -> None:
    """The copied school's ledger reuses one photo: for two activities this year (the second
    resized and recompressed) and for one of last year."""
    kind = ActivityType.objects.get_or_create(name="志愿服务")[0]
    picture = _picture(17)
    year = application.campaign.year
    for day, title, version in (
        (date(year, 3, 5), "学雷锋志愿服务进社区", _jpeg(picture, 90)),
        (date(year, 9, 20), "重阳节走访敬老院", _jpeg(picture.resize((640, 480)), 70)),
        (date(year - 1, 4, 2), "植树节义务植树", _jpeg(picture.crop((10, 10, 790, 590)), 85)),
    ):
        activity = Activity.objects.create(
            unit=application.unit, activity_type=kind, title=title, day=day, created_by=office
        )
        attachment_store(
            unit=application.unit, owner=activity, name=f"{title}.jpg", stream=version, actor=office
        )


def review_demo(office: User) -> list[str]:
    """Load the library and check two schools' reports (idempotent)."""
    if ReviewedText.objects.filter(kind=TextKind.LIBRARY).exists():
        return []
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLES.glob("*.txt"))]
    library_upload(actor=office, files=files)
    # schools waiting in review (the demo supervisor's and district office's lists); the demo
    # unit's own school first when it is one of them
    waiting = sorted(
        Application.objects.filter(state=State.IN_REVIEW, unit__unit_type__name="学校")
        .select_related("unit", "campaign", "campaign__edition")
        .order_by("unit__name")[:6],
        key=lambda a: (a.unit.name != "江东区九年一贯制学校", a.unit.name),
    )[:2]
    if waiting:
        _reused_photos(waiting[0], office)
    for application, text in zip(waiting, (COPIED, OWN), strict=False):
        report, _ = SelfInspectionReport.objects.get_or_create(
            unit=application.unit,
            edition=application.campaign.edition,
            defaults={
                "title": f"{application.unit.name}关于创建工作的自查报告",
                "generated_at": timezone.now(),
            },
        )
        report.sections.all().delete()
        for position, part in enumerate(text.split("\n"), start=1):
            ReportSection.objects.create(
                report=report, position=position, heading=f"第{position}部分", text=part
            )
        check_run(application=application)
    names = "、".join(a.unit.name for a in waiting)
    return [f"材料审查演示:参考库范文 {len(files)} 篇,已审查 {names} 的自查报告"]
