"""Demo data: 江东区 takes citizen reports — categories routed to units, places, a 12345
hotline connected through the Open311 intake, and reports in every state (some with photos
that carry a location, one pair of duplicates, public replies)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone
from PIL import Image

from wenming.citizen.models import Channel, CitizenReport, ReportCategory
from wenming.citizen.photos import photo_read
from wenming.citizen.services import (
    ReportInput,
    category_save,
    client_for_account,
    place_save,
    report_file,
    report_mark_duplicate,
    report_reply,
)
from wenming.organizations.models import Region, Unit
from wenming.rectification import services as rect
from wenming.rectification.services import base as rect_clock

PLACES = [
    "人民公园东门",
    "江东区九年一贯制学校南门",
    "滨江路步行街",
    "江东农贸市场",
    "临江社区广场",
]

# (days ago, category, place, description, steps taken, public reply, photo colour)
REPORTS = [
    (
        20,
        "校园周边环境",
        1,
        "学校南门放学时段流动摊贩占道,学生通行不便",
        6,
        "已联合城管劝离摊贩,设置护学岗。",
        "orange",
    ),
    (
        16,
        "社区公共设施",
        4,
        "社区广场健身器材扶手松动,存在安全隐患",
        6,
        "已更换松动部件并张贴安全提示。",
        "gray",
    ),
    (12, "校园周边环境", 1, "学校南门人行道护栏被车辆撞歪", 3, "", "silver"),
    (9, "社区公共设施", 4, "广场路灯连续多日不亮", 2, "已交民政局办理,预计本周内修复。", ""),
    (6, "环境卫生", 0, "公园东门垃圾桶满溢,周边有异味", 1, "", "green"),
    (5, "环境卫生", 0, "公园东门垃圾桶满溢无人清运", 0, "", ""),
    (3, "环境卫生", 2, "步行街店铺外墙乱贴小广告", 0, "", "white"),
    (1, "不文明行为", 3, "农贸市场门口有人随地吐痰、乱扔烟头", 0, "", ""),
]


def _photo(color: str) -> bytes:
    """A phone photo taken in 江东区 (its location is kept for the office only)."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 35.0, 20.0), 3: "E", 4: (114.0, 18.0, 5.0)}
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _clock(moment: datetime) -> None:
    rect_clock.now = lambda: moment  # the demo's clock: the services date each step by it


def demo_citizen(connect: Callable[[Region], tuple[User, str]] | None = None) -> list[str]:
    """Load once (nothing when 江东区 already has categories); lines to print. ``connect``
    makes the hotline's API service token for a region: (its account, the secret)."""
    east = Region.objects.filter(code="420102").first()
    office = User.objects.filter(username="district_office").first()
    admin = User.objects.filter(username="admin").first()
    if east is None or office is None or admin is None:
        return []
    if ReportCategory.objects.filter(region=east).exists():
        return []
    school = Unit.objects.get(name="江东区九年一贯制学校")
    civil = Unit.objects.get(name="江东区民政局")
    street = (
        Unit.objects.filter(region__parent=east, name__endswith="办事处").order_by("name").first()
        or civil
    )
    culture = Unit.objects.filter(name="江东区文化旅游局").first() or civil
    categories = {
        name: category_save(
            actor=office, category=None, region=east, name=name, unit=unit, position=n
        )
        for n, (name, unit) in enumerate(
            [
                ("环境卫生", street),
                ("校园周边环境", school),
                ("社区公共设施", civil),
                ("不文明行为", culture),
            ]
        )
    }
    places = [place_save(actor=office, place=None, region=east, name=p) for p in PLACES]
    handlers = {
        school.pk: User.objects.get(username="filler"),
        civil.pk: User.objects.get(username="filler2"),
    }
    zone = ZoneInfo("Asia/Shanghai")
    today = timezone.localdate()
    real_now = rect_clock.now
    filed: list[CitizenReport] = []
    try:
        for days, category, place, text, steps, reply, color in REPORTS:
            day = today - timedelta(days=days)
            moment = datetime.combine(day, time(9), tzinfo=zone)
            _clock(moment)
            photos = [photo_read("现场.jpg", io.BytesIO(_photo(color)))] if color else []
            report = report_file(
                data=ReportInput(
                    region=east,
                    category=categories[category],
                    description=text,
                    place=places[place],
                    contact_name="市民" if steps else "",
                    contact_phone="139 0000 0000" if steps else "",
                    photos=photos,
                )
            )
            # filed on that day: its time and the date in its reference number
            reference = f"{day:%Y%m%d}-{report.reference.split('-')[1]}"
            CitizenReport.objects.filter(pk=report.pk).update(
                created_at=moment, reference=reference
            )
            report.refresh_from_db()
            problem = report.problem
            assert problem is not None
            handler = handlers.get(problem.unit_id)
            for step in range(steps):
                later = datetime.combine(day + timedelta(days=step + 1), time(10), tzinfo=zone)
                _clock(later)
                if step == 0:
                    problem = rect.problem_accept(actor=office, problem=problem)
                elif step == 1:
                    problem = rect.problem_assign(
                        actor=office, problem=problem, responsible=handler
                    )
                elif step == 2 and handler:
                    problem = rect.problem_handle(actor=handler, problem=problem, fix="已整改完毕")
                elif step == 3:
                    problem = rect.problem_verify(actor=office, problem=problem)
                elif step == 4:
                    problem = rect.problem_call_back(
                        actor=admin, problem=problem, reached=True, satisfied=True
                    )
                elif step == 5:
                    problem = rect.problem_close(actor=admin, problem=problem)
            if reply:
                report_reply(actor=office, report=report, text=reply)
            filed.append(report)
    finally:
        rect_clock.now = real_now
    report_mark_duplicate(actor=office, report=filed[5], original=filed[4])
    lines = [f"群众随手拍演示:江东区 {len(filed)} 条反映已载入(公开页面 /report/)"]
    if connect is None:
        return lines
    account, secret = connect(east)
    hotline_client = client_for_account(
        account=account, name="江东区12345热线", created_by_id=office.pk
    )
    hotline = ReportInput(
        region=east,
        category=categories["社区公共设施"],
        description="市民来电:临江社区广场井盖缺失,夜间易发生危险",
        place_text="临江社区广场北侧",
        contact_phone="12345 转 0001",
    )
    report_file(data=hotline, channel=Channel.OPEN311, client=hotline_client)
    lines[0] = f"群众随手拍演示:江东区 {len(filed) + 1} 条反映已载入(公开页面 /report/)"
    lines.append(f"  12345热线服务令牌(Open311,/api/v1/open311/):{secret}")
    return lines
