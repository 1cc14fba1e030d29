"""Demo data: the framework library, one city of regions and ~200 units, a login for every
role, and self-assessments in several states. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import random
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from wenming.accounts.models import Role, RoleGrant
from wenming.assessments.models import SelfAssessment
from wenming.assessments.services import (
    entry_save,
    self_assessment_return,
    self_assessment_start,
    self_assessment_submit,
)
from wenming.core.credit_code import make_credit_code
from wenming.core.formats import framework_load
from wenming.core.styles.measured import Measured
from wenming.frameworks.models import FrameworkEdition
from wenming.frameworks.services import framework_import
from wenming.organizations.models import Region, RegionLevel, Unit, UnitType
from wenming.organizations.services import region_upsert, unit_upsert

LIBRARY = Path(__file__).resolve().parent / "library"
DEMO_PASSWORD = "Wenming@2026"
OUTCOME = {"created": "已载入", "updated": "已更新", "unchanged": "已存在"}
UNIT_TYPES = [
    ("机关", False),
    ("事业单位", False),
    ("学校", True),
    ("医院", False),
    ("企业", False),
    ("乡镇街道", False),
    ("社区", False),
]
DISTRICTS = [("420102", "江东区"), ("420103", "江西区"), ("420104", "江南区"), ("420105", "江北区")]
TOWNS = ["街道", "镇", "乡"]
SCHOOL_STAGES = ["小学", "小学", "小学", "初中", "初中", "九年一贯制", "完全中学"]


def library_files() -> list[Path]:
    return sorted(LIBRARY.glob("*.yaml"))


def demo_load() -> list[str]:
    """Create the database if needed and load the demo data; return lines to print."""
    call_command("migrate", interactive=False, verbosity=0)
    lines = []
    with transaction.atomic():
        for path in library_files():
            edition, what = framework_import(framework=framework_load(path))
            lines.append(f"测评体系 {edition.name}({edition.edition}版):{OUTCOME[what]}")
        if not Region.objects.filter(code="420100").exists():
            people = _load_city()
            _load_assessments(people)
            _load_problems(people)
            from wenming.documents.demo import load_campaign

            load_campaign(people)  # last year's, finished
            _load_campaigns(people)  # this year's, in every state
        from wenming.dashboards.demo import demo_campaigns

        if demo_campaigns():
            lines.append("统计看板演示:2024—2026年度市级文明单位测评已载入")
        from wenming.balance.demo import demo_balance

        if demo_balance():
            lines.append("均衡发展演示:江东区本年度学校指标已导入")
        lines.append(
            f"地区 {Region.objects.count()} 个,单位 {Unit.objects.count()} 个,自评 {SelfAssessment.objects.count()} 份"
        )
    lines += ["", f"演示账号(密码均为 {DEMO_PASSWORD}):"]
    for username, label in DEMO_LOGINS:
        lines.append(f"  {username:<16} {label}")
    return lines


DEMO_LOGINS = [
    ("admin", "系统管理员"),
    ("city_office", "江城市文明办(全市)"),
    ("district_office", "江东区文明办(江东区及下属)"),
    ("supervisor", "江东区教育局审核人(所属学校)"),
    ("head", "江东区九年一贯制学校 单位负责人"),
    ("unit_admin", "江东区九年一贯制学校 单位管理员(提交自评)"),
    ("filler", "江东区九年一贯制学校 填报员"),
    ("filler2", "江东区民政局 填报员"),
    ("expert", "测评专家 孙教授(现场测评第一组组长:评分、合议、签署)"),
    ("expert2", "测评专家 李研究员(第一组成员)"),
]


def _person(
    username: str,
    name: str,
    role: Role | None,
    *,
    region: Region | None = None,
    unit: Unit | None = None,
) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_superuser = user.is_staff = role == Role.SYSTEM_ADMIN
        user.save()
    if role not in (None, Role.SYSTEM_ADMIN):
        RoleGrant.objects.get_or_create(user=user, role=role, region=region, unit=unit)
    return user


def _load_city() -> dict[str, User]:
    rng = random.Random(2026)
    types = {
        name: UnitType.objects.get_or_create(name=name, defaults={"is_school": school})[0]
        for name, school in UNIT_TYPES
    }
    province = region_upsert(code="420000", name="江楚省", level=RegionLevel.PROVINCE, parent=None)[
        0
    ]
    city = region_upsert(code="420100", name="江城市", level=RegionLevel.CITY, parent=province)[0]
    serial = 1000
    units: dict[str, Unit] = {}

    def unit(
        name: str, kind: str, region: Region, supervisor: Unit | None = None, **extra: object
    ) -> Unit:
        nonlocal serial
        serial += 1
        values = {
            "name": name,
            "unit_type": types[kind],
            "region": region,
            "supervisor": supervisor,
            "headcount": rng.randint(15, 260),
            "party_members": rng.randint(3, 80),
            "address": f"{region.name}{rng.randint(1, 300)}号",
            **extra,
        }
        category = "11" if kind == "机关" else ("91" if kind == "企业" else "12")
        made, _ = unit_upsert(
            credit_code=make_credit_code(category=category, region="420100", serial=serial),
            values=values,
            departments=["办公室", "综合科", "业务科"],
        )
        units[name] = made
        return made

    unit("江城市文明办", "机关", city)
    for code, name in DISTRICTS:
        district = region_upsert(code=code, name=name, level=RegionLevel.COUNTY, parent=city)[0]
        office = unit(f"{name}文明办", "机关", district)
        education = unit(f"{name}教育局", "机关", district)
        health = unit(f"{name}卫生健康局", "机关", district)
        for agency in ("民政局", "财政局", "司法局", "文化旅游局"):
            unit(f"{name}{agency}", "机关", district, supervisor=office)
        unit(f"{name}人民医院", "医院", district, supervisor=health)
        unit(f"{name}中医医院", "医院", district, supervisor=health)
        unit(f"{name}图书馆", "事业单位", district)
        unit(f"{name}档案馆", "事业单位", district)
        if name == "江东区":
            unit(
                "江东区九年一贯制学校",
                "学校",
                district,
                supervisor=education,
                stage="九年一贯制",
                enrolment_primary=900,
                enrolment_junior=600,
            )
        for t in range(3):
            town = region_upsert(
                code=f"{code}{t + 1:03d}",
                name=f"{name[:2]}{'东西南北中'[t]}{TOWNS[t]}",
                level=RegionLevel.TOWNSHIP,
                parent=district,
            )[0]
            unit(f"{town.name}办事处", "乡镇街道", town)
            for c in range(2):
                community = region_upsert(
                    code=f"{code}{t + 1:03d}{c + 1:03d}",
                    name=f"{town.name[:3]}第{c + 1}社区",
                    level=RegionLevel.COMMUNITY,
                    parent=town,
                )[0]
                unit(f"{community.name}居委会", "社区", community)
            for s in range(6):
                stage = rng.choice(SCHOOL_STAGES)
                label = {
                    "小学": "小学",
                    "初中": "中学",
                    "九年一贯制": "九年一贯制学校",
                    "完全中学": "完全中学",
                }[stage]
                unit(
                    f"{town.name[:3]}第{s + 1}{label}",
                    "学校",
                    town,
                    supervisor=education,
                    stage=stage,
                    enrolment_primary=rng.randint(300, 1500)
                    if stage in ("小学", "九年一贯制")
                    else 0,
                    enrolment_junior=rng.randint(300, 1200) if stage != "小学" else 0,
                    enrolment_senior=rng.randint(300, 1200) if stage == "完全中学" else 0,
                )
            unit(f"{town.name[:3]}卫生院", "医院", town, supervisor=health)
            unit(f"{town.name[:3]}商贸公司", "企业", town)
            unit(f"{town.name[:3]}建材公司", "企业", town)
            unit(f"{town.name[:3]}文化站", "事业单位", town)
    east = Region.objects.get(code="420102")
    school = units["江东区九年一贯制学校"]
    return {
        "admin": _person("admin", "系统管理员", Role.SYSTEM_ADMIN),
        "city_office": _person("city_office", "市文明办 王主任", Role.OFFICE, region=city),
        "district_office": _person(
            "district_office", "江东区文明办 李科长", Role.OFFICE, region=east
        ),
        "supervisor": _person(
            "supervisor", "江东区教育局 赵科长", Role.SUPERVISOR, unit=units["江东区教育局"]
        ),
        "head": _person("head", "校长 陈明", Role.UNIT_HEAD, unit=school),
        "unit_admin": _person("unit_admin", "办公室 周老师", Role.UNIT_ADMIN, unit=school),
        "filler": _person("filler", "教务处 吴老师", Role.UNIT_FILLER, unit=school),
        "filler2": _person(
            "filler2", "民政局 郑干事", Role.UNIT_FILLER, unit=units["江东区民政局"]
        ),
        "expert": _person("expert", "测评专家 孙教授", Role.EXPERT),
    }


def _fill(assessment: SelfAssessment, user: User, rng: random.Random, share: float = 1.0) -> None:
    from wenming.frameworks.selectors import engine_of

    engine = engine_of(assessment.edition)
    for code, style in engine.styles.items():
        if code in engine.bonus_codes or rng.random() > share:
            continue
        value: str
        reason = ""
        if style.key == "deduction":
            value = rng.choice(["0"] * 6 + ["1", "2"])
            reason = "台账资料不全" if value != "0" else ""
        elif style.key == "letter":
            value = rng.choice("AAAB")
        elif style.key == "yesno":
            value = "是" if rng.random() < 0.95 else "否"
        elif style.key == "direct":
            value = str(max(0, style.points // 100 - rng.choice([0, 0, 1])))
        else:
            assert isinstance(style, Measured)
            direction = style.p.direction
            value = str(
                rng.choice([12, 15]) if direction == "lower" else rng.randint(20000, 400000)
            )
        entry_save(actor=user, assessment_id=assessment.pk, code=code, value=value, reason=reason)


def _load_assessments(people: dict[str, User]) -> None:
    rng = random.Random(7)
    school = Unit.objects.get(name="江东区九年一贯制学校")
    standard = FrameworkEdition.objects.get(code="school-standard")
    # a submitted, then returned, self-assessment with its reopened draft
    first = self_assessment_start(actor=people["filler"], unit=school, edition=standard)
    _fill(first, people["filler"], rng)
    self_assessment_submit(actor=people["unit_admin"], assessment_id=first.pk)
    self_assessment_return(
        actor=people["supervisor"],
        assessment_id=first.pk,
        reason="生均图书册数请附图书登记台账后重新核对",
    )
    # a draft half filled for the civil-affairs bureau
    bureau = Unit.objects.get(name="江东区民政局")
    civic = FrameworkEdition.objects.get(code="civilized-unit")
    draft = self_assessment_start(actor=people["filler2"], unit=bureau, edition=civic)
    _fill(draft, people["filler2"], rng, share=0.5)
    _load_ledger(bureau, civic, people["filler2"])


LEDGER = [
    ("中心组学习", "党组理论学习中心组第{n}次集中学习", ["A1.2", "B1.1"], 1),
    ("志愿服务", "“学雷锋”志愿服务进社区(第{n}次)", ["C1.2"], 2),
    ("道德讲堂", "道德讲堂:身边好人故事分享(第{n}期)", ["B2.2"], 2),
    ("文体活动", "职工健步走活动(第{n}次)", ["C3.2"], 1),
    ("理论学习", "读书分享会(第{n}次)", ["C3.1"], 1),
]


def _load_ledger(unit: Unit, edition: FrameworkEdition, user: User) -> None:
    import io
    from datetime import date

    from wenming.attachments.detect import image_bytes
    from wenming.ledger.services import ActivityInput, activity_create, activity_types

    kinds = {t.name: t for t in activity_types()}
    department = unit.departments.first()
    colors = ["#b3261e", "#0b57d0", "#1a7f37", "#8a6100", "#6b7280"]
    for index, (kind, title, codes, photos) in enumerate(LEDGER):
        for n in range(1, 4):
            day = date(2026, min(12, 1 + (n - 1) * 3 + index % 3), 8 + index)
            files = [
                (
                    f"活动照片{n}-{p + 1}.jpg",
                    io.BytesIO(image_bytes(colors[(index + n + p) % 5], (320 + p, 240))),
                )
                for p in range(photos)
            ]
            activity_create(
                actor=user,
                unit=unit,
                data=ActivityInput(
                    activity_type=kinds[kind],
                    title=title.format(n=n),
                    day=day,
                    place="单位会议室",
                    department=department,
                    participants=20 + n * 5,
                    description="活动按计划开展,记录完整。",
                ),
                links=[(edition, code) for code in codes],
                files=files,
            )


def _load_problems(people: dict[str, User]) -> None:
    """A few hundred problems over the last five months, in every state, through the services
    (their clock set to the day each step happened)."""
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from wenming.rectification import services as rect
    from wenming.rectification.models import ProblemSource, Severity
    from wenming.rectification.services import base as rect_clock

    rng = random.Random(5)
    zone = ZoneInfo("Asia/Shanghai")
    today = timezone.localdate()
    admin = people["admin"]
    school = Unit.objects.get(name="江东区九年一贯制学校")
    civil = Unit.objects.get(name="江东区民政局")
    handlers = {school.pk: people["filler"], civil.pk: people["filler2"]}
    others = list(Unit.objects.exclude(name__contains="文明办").exclude(pk__in=handlers))
    titles = [
        ("校门口占道经营", ProblemSource.PATROL),
        ("公益广告破损", ProblemSource.PATROL),
        ("垃圾分类不规范", ProblemSource.RECHECK),
        ("窗口服务态度差", ProblemSource.COMPLAINT),
        ("宣传栏内容过期", ProblemSource.EXPERT),
        ("消防通道堵塞", ProblemSource.NEGATIVE),
        ("志愿服务台账不全", ProblemSource.SELF_ASSESSMENT),
    ]
    real_now = rect_clock.now
    try:
        for n in range(300):
            unit = rng.choice([school, civil]) if rng.random() < 0.6 else rng.choice(others)
            title, source = rng.choice(titles)
            found = today - timedelta(days=rng.randint(0, 150))
            day = found

            def at(d: date) -> None:
                moment = datetime.combine(d, time(10), tzinfo=zone)
                rect_clock.now = lambda: moment  # the demo's clock

            at(found)
            problem = rect.problem_create(
                actor=admin,
                unit=unit,
                source=source,
                title=f"{title}(第{n + 1}号)",
                severity=rng.choice(list(Severity)),
                found_on=found,
                complainant="市民 139****0000" if source == ProblemSource.COMPLAINT else "",
            )
            steps = (
                rng.choice([0, 1, 2, 3, 4, 5, 6, 6, 6, 6])
                if unit.pk in handlers
                else rng.randint(0, 2)
            )
            for step in range(steps):
                day = min(today, day + timedelta(days=rng.randint(0, 12)))
                at(day)
                if step == 0:
                    rect.problem_accept(actor=admin, problem=problem)
                elif step == 1:
                    rect.problem_assign(
                        actor=admin, problem=problem, responsible=handlers.get(unit.pk)
                    )
                elif step == 2:
                    rect.problem_handle(
                        actor=handlers[unit.pk], problem=problem, fix="已按要求整改,附整改后照片"
                    )
                elif step == 3 and rng.random() < 0.15:
                    rect.problem_return(
                        actor=admin, problem=problem, reason="整改不彻底,请重新整改"
                    )
                    rect.problem_handle(actor=handlers[unit.pk], problem=problem, fix="已重新整改")
                elif step == 4:
                    rect.problem_verify(actor=people["district_office"], problem=problem)
                    if source == ProblemSource.COMPLAINT:
                        reached = rng.random() < 0.9
                        rect.problem_call_back(
                            actor=admin,
                            problem=problem,
                            reached=reached,
                            satisfied=(rng.random() < 0.85) if reached else None,
                        )
                elif step == 5:
                    rect.problem_close(actor=admin, problem=problem)
    finally:
        rect_clock.now = real_now
    rect.problems_escalate(today=today)


def _load_campaigns(people: dict[str, User]) -> None:
    """A school-standardization campaign of 江东区 in every state of the review chain, through
    the services (each school gets its own demo accounts), and earlier titles of 江东区 units
    imported as history (for eligibility and this year's 复查)."""
    from datetime import timedelta
    from fractions import Fraction

    from django.utils import timezone

    from wenming.assessments.models import AssessmentStatus, SelfAssessment
    from wenming.assessments.scoring import results_data
    from wenming.campaigns import services as cs
    from wenming.campaigns.models import SignatureRole
    from wenming.campaigns.results import targets_set
    from wenming.core.draw import Rules
    from wenming.draws.services import draw_candidates, draw_record
    from wenming.frameworks.selectors import engine_of
    from wenming.onsite.selectors import assignable_applications
    from wenming.titles.models import TitleSource
    from wenming.titles.services import title_grant

    rng = random.Random(11)
    today = timezone.localdate()
    east = Region.objects.get(code="420102")
    office, city_office = people["district_office"], people["city_office"]
    standard = FrameworkEdition.objects.get(code="school-standard")
    engine = engine_of(standard)
    campaign = cs.campaign_create(
        actor=office,
        data=cs.CampaignInput(
            name=f"{today.year}年江东区义务教育标准化学校评估",
            year=today.year,
            level="district",
            region=east,
            edition=standard,
            unit_types=[UnitType.objects.get(name="学校")],
            apply_from=today - timedelta(days=40),
            apply_until=today + timedelta(days=20),
            target_percent=30,
            naming={"初中": 2, "小学": 3},
        ),
    )
    cs.campaign_open(actor=office, campaign=campaign)
    targets_set(
        actor=office,
        campaign=campaign,
        regions={r.pk: 2 for r in east.children.all()},
        supervisors={Unit.objects.get(name="江东区教育局").pk: 5},
    )
    schools = Unit.objects.filter(region__parent=east, unit_type__name="学校").order_by("name")
    # where each school stops: 0 prepared … 5 through the city's re-check
    stops = [5, 5, 5, 5, 5, 5, 4, 4, 3, 2, 1, 0, 5, 5, 3, 2]
    waiting = []  # (application, stop, assessment) at the evaluation step
    for n, (school, stop) in enumerate(zip(schools, stops, strict=False)):
        actor = _person(f"school{n + 1:02d}", f"{school.name} 管理员", Role.UNIT_ADMIN, unit=school)
        for role in (Role.UNIT_HEAD, Role.UNIT_FILLER):
            RoleGrant.objects.get_or_create(user=actor, role=role, region=None, unit=school)
        assessment = SelfAssessment.objects.filter(
            unit=school, edition=standard, status=AssessmentStatus.SUBMITTED
        ).first()
        if assessment is None:  # (schools of last year's campaign keep their submitted one)
            assessment = self_assessment_start(actor=actor, unit=school, edition=standard)
            _fill(assessment, actor, rng)
            self_assessment_submit(actor=actor, assessment_id=assessment.pk)
        application = cs.application_prepare(actor=actor, campaign=campaign, unit=school)
        if stop == 0:
            continue
        cs.application_sign(actor=actor, application=application, role=SignatureRole.HEAD)
        application = cs.application_submit(
            actor=actor, application_id=application.pk, version=application.version
        )
        for step, reviewer in ((2, people["supervisor"]), (3, office)):
            if stop >= step:
                application = cs.application_pass(
                    actor=reviewer, application_id=application.pk, version=application.version
                )
        if stop >= 3:
            waiting.append((application, stop, assessment))
    # the on-site draw among the applications in review: half of each kind of school
    strata = {c.stratum for c in draw_candidates(campaign)}
    draw_record(
        actor=office, campaign=campaign, rules=Rules(shares={k: Fraction(1, 2) for k in strata})
    )
    drawn = set(assignable_applications(campaign).values_list("pk", flat=True))
    for application, stop, assessment in waiting:
        if application.pk in drawn or stop < 4:
            continue  # drawn units wait for the on-site team (wenming.onsite.demo)
        # the team's paper sheet: the self-assessment with the deductions the experts found
        data = results_data(assessment, SelfAssessment.objects.get(pk=assessment.pk).entries.all())
        weak = rng.random()
        for code, style in engine.styles.items():
            if style.key == "deduction" and code in data["items"] and rng.random() < weak:
                data["items"][code] = {
                    "value": str(rng.randint(2, 6)),
                    "reason": "现场查看发现问题",
                }
        cs.evaluation_record(actor=office, application=application, data=data, source="paper")
        application.refresh_from_db()
        application = cs.application_pass(
            actor=office, application_id=application.pk, version=application.version
        )
        if stop >= 5:
            cs.application_pass(
                actor=city_office, application_id=application.pk, version=application.version
            )
    from wenming.onsite.demo import demo_onsite

    demo_onsite(office, people["expert"], campaign)
    # earlier titles of 江东区 units, as imported from the lists of past years
    for year, name in ((today.year - 1, "江东区民政局"), (today.year - 2, "江东区图书馆")):
        title_grant(
            actor=office,
            unit=Unit.objects.get(name=name),
            name=f"{year}年度区级文明单位",
            kind="文明单位",
            level="district",
            year=year,
            term_years=3,
            naming_authority=east,
            source=TitleSource.IMPORTED,
        )
