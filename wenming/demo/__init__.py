"""Demo data: the framework library, one city of regions and ~200 units, a login for every
role, and self-assessments in several states. Idempotent: running it twice changes nothing.

By topic: ``city`` (regions, units, logins), ``assessments`` (self-assessments, a ledger),
``problems`` (rectification) and ``campaigns`` (this year's campaign in every state); last
year's campaign, the dashboards' years and the on-site team come from the apps' own ``demo``
modules.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction

from wenming.api.tokens import token_create
from wenming.assessments.models import SelfAssessment
from wenming.balance.demo import demo_balance
from wenming.citizen.demo import demo_citizen
from wenming.core.formats import framework_load
from wenming.dashboards.demo import demo_campaigns
from wenming.demo.assessments import assessments_load
from wenming.demo.campaigns import campaigns_load
from wenming.demo.city import DEMO_PASSWORD, city_load
from wenming.demo.problems import problems_load
from wenming.documents.demo import load_campaign
from wenming.frameworks.services import framework_import
from wenming.organizations.models import Region, Unit
from wenming.review.demo import review_demo
from wenming.surveys.demo import demo_surveys

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "LIBRARY", "demo_load", "library_files"]

LIBRARY = Path(__file__).resolve().parent.parent / "library"
OUTCOME = {"created": "已载入", "updated": "已更新", "unchanged": "已存在"}


def library_files() -> list[Path]:
    return sorted(LIBRARY.glob("*.yaml"))


def _hotline_token(region: Region) -> tuple[User, str]:
    """The 12345 hotline's service token (问题整改 读写), made by the district office."""
    issued = token_create(
        actor=User.objects.get(username="district_office"),
        name="江东区12345热线",
        kind="service",
        scopes=["problems:write"],
        days=365,
        region_id=region.pk,
    )
    return issued.token.user, issued.secret


def demo_load() -> list[str]:
    """Create the database if needed and load the demo data; return lines to print."""
    call_command("migrate", interactive=False, verbosity=0)
    lines = []
    with transaction.atomic():
        for path in library_files():
            edition, what = framework_import(framework=framework_load(path))
            lines.append(f"测评体系 {edition.name}({edition.edition}版):{OUTCOME[what]}")
        if not Region.objects.filter(code="420100").exists():
            people = city_load()
            assessments_load(people)
            problems_load(people)
            load_campaign(people)  # last year's, finished
            campaigns_load(people)  # this year's, in every state
        if demo_campaigns():
            lines.append("统计看板演示:2024—2026年度市级文明单位测评已载入")
        if demo_balance():
            lines.append("均衡发展演示:江东区本年度学校指标已导入")
        lines += demo_citizen(_hotline_token)
        if demo_surveys():
            lines.append("问卷演示:服务对象满意度调查、干部职工问卷及答卷已载入")
        office = User.objects.filter(username="district_office").first()
        if office is not None:
            lines += review_demo(office)
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
