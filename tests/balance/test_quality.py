"""Quality balance (优质均衡, 2017): each of the seven indicators' CV against its own limit, each
school against the per-school standards; values kept at the sheet's precision; exact verdicts.

Every expected number below is worked out by hand in the comments, not by the code under test."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.factories import UnitFactory
from wenming.audit.models import AuditEvent
from wenming.balance.importer import SHEET, BalanceImporter
from wenming.balance.models import BalanceThreshold, QualityRule, QualityStandard, SchoolIndicators
from wenming.balance.selectors import stage_balance
from wenming.balance.services import BalanceRefused, quality_rule_set, quality_standard_set
from wenming.imports.services import import_commit, import_preview

HEADERS = [c.header for c in BalanceImporter.sheets[SHEET]]
BASIC = [
    "floor_area",
    "sports_area",
    "equipment_value",
    "computers",
    "books",
    "teacher_ratio",
    "qualified_teachers",
    "senior_teachers",
]
# every primary standard met with room: qualified 4.2, key 1, PE/arts 0.9, floor 4.5, sports 7.5,
# equipment 2000, multimedia 2.3
PRIMARY_OK = {
    "floor_area": "6",
    "sports_area": "9",
    "equipment_value": "2500",
    "computers": "15",
    "books": "30",
    "teacher_ratio": "6",
    "qualified_teachers": "5",
    "senior_teachers": "3",
    "key_teachers": "1.5",
    "pe_arts_teachers": "1.2",
    "multimedia_rooms": "3",
}


def record(unit, enrolment, stage="小学", **values):
    data = {k: Decimal(v) for k, v in {**PRIMARY_OK, **values}.items()}
    return SchoolIndicators.objects.create(
        unit=unit, year=2026, stage=stage, enrolment=enrolment, **data
    )


@pytest.fixture
def county(world):
    """Four primary schools of 江东区 with enrolments 200, 300, 500, 1000 (N = 2000, weights
    0.10, 0.15, 0.25, 0.50)."""
    school = world.types.school
    a = world.s1  # 江东区第一小学
    b = UnitFactory(name="江东区第二小学", unit_type=school, region=world.east)
    c = UnitFactory(name="江东区第三小学", unit_type=school, region=world.east)
    d = UnitFactory(name="江东区第四小学", unit_type=school, region=world.east)
    return a, b, c, d


def primary(world):
    return stage_balance(region=world.east, year=2026, stage="小学")


def test_composite_passes_but_one_indicator_cv_fails(world, county):
    a, b, c, d = county
    # key teachers 1, 1, 1, 4: x̄ = 0.10·1 + 0.15·1 + 0.25·1 + 0.50·4 = 2.5;
    # variance = 0.5·(1 − 2.5)² + 0.5·(4 − 2.5)² = 2.25, σ = 1.5, CV = 1.5 / 2.5 = 0.6 > 0.50.
    # The eight basic indicators are equal in every school: composite 0 (the old method, quality
    # balance on the composite ≤ 0.50, would have passed).
    for unit, n in ((a, 200), (b, 300), (c, 500)):
        record(unit, n, key_teachers="1")
    record(d, 1000, key_teachers="4")
    sb = primary(world)
    assert sb.result.composite == 0
    assert [v.passed for v in sb.verdicts] == [True]  # basic balance
    quality = sb.quality
    by_code = {i.code: i for i in quality.indicators}
    assert by_code["key_teachers"].mean == pytest.approx(2.5)
    assert by_code["key_teachers"].cv == pytest.approx(0.6)
    assert [i.code for i in quality.failed_indicators] == ["key_teachers"]
    assert all(by_code[c].cv == 0 for c in by_code if c != "key_teachers")
    assert not quality.failed_schools  # every school meets all seven standards
    assert quality.passed is False


def test_junior_limit_is_stricter(world, county):
    a, b, c, _ = county
    junior = {**PRIMARY_OK, "qualified_teachers": "6", "floor_area": "7", "equipment_value": "3000"}
    # sports ground 12, 12, 30 with enrolments 300, 300, 400 (weights 0.3, 0.3, 0.4):
    # x̄ = 0.6·12 + 0.4·30 = 19.2; variance = 0.6·7.2² + 0.4·10.8² = 31.104 + 46.656 = 77.76,
    # σ = 8.8182, CV = 0.4593: above the junior limit 0.45, below the primary one 0.50.
    for unit, n, sports in ((a, 300, "12"), (b, 300, "12"), (c, 400, "30")):
        record(unit, n, "初中", **{**junior, "sports_area": sports})
    quality = stage_balance(region=world.east, year=2026, stage="初中").quality
    found = next(i for i in quality.indicators if i.code == "sports_area")
    assert found.cv is not None and round(found.cv, 4) == 0.4593
    assert found.max_cv == Decimal("0.45")
    assert [i.code for i in quality.failed_indicators] == ["sports_area"]
    # junior standards: 5.3 qualified teachers, 10.2 m² sports ground … all met
    assert not quality.failed_schools and quality.passed is False


@pytest.mark.parametrize(
    ("rooms", "passed", "shown"),
    [
        ("1.932", False, "84.0%"),  # 1.932 / 2.3 = 84 %
        ("1.95499", False, "84.9%"),  # 84.9996 %: shown cut, never as 85
        ("1.955", True, "85.0%"),  # exactly 85 %
        ("1.978", True, "86.0%"),  # 86 %
    ],
)
def test_school_meets_six_and_the_seventh_at_least_85_percent(world, county, rooms, passed, shown):
    a, b, c, d = county
    record(a, 200, multimedia_rooms=rooms)
    for unit, n in ((b, 300), (c, 500), (d, 1000)):
        record(unit, n)
    quality = primary(world).quality
    school = next(s for s in quality.schools if s.record.unit == a)
    assert school.check.met == 6 and school.check.passed is passed
    cell = school.cells[6]  # multimedia classrooms, the seventh column
    assert cell.percent == shown and cell.below_floor is not passed
    assert quality.passed is passed  # every CV is small: the school decides
    if not passed:
        assert school.reasons() == [
            f"“每百名学生拥有网络多媒体教室数”{rooms},仅为标准2.3的{shown}(未达标项应不低于85%)"
        ]


def test_school_meeting_five_of_seven_fails_even_at_90_percent(world, county):
    a, b, c, d = county
    # 0.81 key teachers is 81 % of 1 (below the floor), 0.81 PE/arts teachers 90 % of 0.9
    record(a, 200, key_teachers="0.81", pe_arts_teachers="0.81")
    for unit, n in ((b, 300), (c, 500), (d, 1000)):
        record(unit, n)
    school = next(s for s in primary(world).quality.schools if s.record.unit == a)
    assert school.check.met == 5 and not school.check.passed
    reasons = school.reasons()
    assert reasons[0].startswith("只有5项达到标准(应至少6项)")
    assert "“每百名学生拥有县级及以上骨干教师数”0.81,仅为标准1的81.0%" in reasons[1]
    assert len(reasons) == 2  # PE/arts at 90 % is above the floor


def test_quality_cannot_be_judged_while_a_school_lacks_its_indicators(world, county):
    a, b, _, _ = county
    record(a, 200)
    SchoolIndicators.objects.create(
        unit=b, year=2026, stage="小学", enrolment=300, **{k: PRIMARY_OK[k] for k in BASIC}
    )
    quality = primary(world).quality
    assert quality.passed is None and [r.unit for r in quality.missing] == [b]
    assert all(i.cv is None for i in quality.indicators)


def test_basic_verdict_uses_the_unrounded_composite(world, county):
    a, b, _, _ = county
    # two schools of 500, every indicator 4.715 and 1: x̄ = 2.8575, σ = 1.8575,
    # CV = 3.715 / 5.715 = 0.6500437… — above 0.65, although it rounds to 0.6500
    for unit, x in ((a, "4.715"), (b, "1")):
        record(unit, 500, **{k: x for k in BASIC})
    sb = primary(world)
    assert round(sb.result.composite, 7) == 0.6500437
    assert BalanceThreshold.objects.get(stage="小学", level="basic").max_cv == Decimal("0.65")
    assert [v.passed for v in sb.verdicts] == [False]


def sheet(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.create_sheet(SHEET)
    wb.remove(wb.worksheets[0])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def line(unit, n, **values):
    merged = {**PRIMARY_OK, **values}
    return [unit.credit_code, unit.name, "小学", n] + [
        float(merged[c.field]) if merged.get(c.field) not in (None, "") else None
        for c in BalanceImporter.sheets[SHEET][4:]
    ]


def load(world, content):
    batch, plan = import_preview(
        kind="balance",
        filename="b.xlsx",
        content=content,
        user=world.people.east_office,
        context={"year": "2026"},
    )
    return batch, plan


def test_import_keeps_four_decimals(world, county):
    a, b, _, _ = county
    # 师生比 0.0435 and 0.0445 for 500 pupils each: x̄ = 0.044, σ = 0.0005, CV = 0.011364;
    # rounded to two decimals both would be 0.04 and the CV 0
    batch, plan = load(
        world,
        sheet([line(a, 500, teacher_ratio="0.0435"), line(b, 500, teacher_ratio="0.0445")]),
    )
    assert plan.ok, plan.errors
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    assert SchoolIndicators.objects.get(unit=a).teacher_ratio == Decimal("0.0435")
    ratio = next(i for i in primary(world).result.indicators if i.code == "teacher_ratio")
    assert round(ratio.cv, 6) == 0.011364


def test_import_exact_share_is_not_rounded_away(world, county):
    a, b, _, _ = county
    # 0.765 PE/arts teachers is exactly 85 % of 0.9 (passes); at two decimals it became 0.76
    batch, _ = load(world, sheet([line(a, 500, pe_arts_teachers="0.765"), line(b, 500)]))
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    school = next(s for s in primary(world).quality.schools if s.record.unit == a)
    assert school.check.met == 6 and school.check.passed


def test_import_quality_columns_checked_optional_and_exported(client, world, county):
    a, b, c, _ = county
    bad = line(a, 500)
    bad[HEADERS.index("每百名学生拥有网络多媒体教室数")] = -1
    _, plan = load(world, sheet([bad, line(b, 500, key_teachers="")]))
    assert [str(e) for e in plan.errors] == [
        "工作表“均衡发展指标”第2行O列(每百名学生拥有网络多媒体教室数):“每百名学生拥有网络多媒体教室数”应为不小于0的数字"
    ]
    assert not SchoolIndicators.objects.exists()
    # an empty cell stores nothing; a sheet without the three columns keeps what is stored
    batch, plan = load(world, sheet([line(a, 500), line(b, 500, key_teachers="")]))
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    assert SchoolIndicators.objects.get(unit=b).key_teachers is None
    assert SchoolIndicators.objects.get(unit=a).key_teachers == Decimal("1.5")
    basic_only = [row[:12] for row in (line(a, 600), line(c, 400))]
    batch, plan = load(world, sheet(basic_only, HEADERS[:12]))
    assert plan.ok, plan.errors
    import_commit(batch_id=batch.pk, user=world.people.east_office)
    kept = SchoolIndicators.objects.get(unit=a)
    assert kept.enrolment == 600 and kept.multimedia_rooms == Decimal("3")
    assert SchoolIndicators.objects.get(unit=c).key_teachers is None
    client.force_login(world.people.east_office)
    exported = client.get(reverse("imports:export", args=["balance"]) + "?year=2026")
    rows = list(load_workbook(io.BytesIO(exported.content))[SHEET].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    first = next(r for r in rows if r[1] == a.name)
    assert first[HEADERS.index("每百名学生拥有网络多媒体教室数")] == 3


def test_page_lists_failing_indicators_and_schools_in_chinese(client, world, county):
    a, b, c, d = county
    record(a, 200, multimedia_rooms="1.932")  # 84 %
    record(b, 300, pe_arts_teachers="0.774")  # 86 %: passes
    record(c, 500, key_teachers="1")
    record(d, 1000, key_teachers="4")
    client.force_login(world.people.east_office)
    html = client.get(reverse("balance:index") + "?year=2026").content.decode()
    assert "优质均衡:未达到" in html
    assert "“每百名学生拥有县级及以上骨干教师数”差异系数" in html and "超过上限0.500" in html
    assert (
        "江东区第一小学:“每百名学生拥有网络多媒体教室数”1.932,仅为标准2.3的84.0%"
        "(未达标项应不低于85%)" in html
    )
    assert "江东区第二小学:" not in html  # 86 %: not among the reasons
    assert "86.0%" in html and "基本均衡(综合差异系数≤0.650):达到" in html
    response = client.get(reverse("balance:export") + "?year=2026")
    cells = [
        v
        for row in load_workbook(io.BytesIO(response.content))["小学"].iter_rows(values_only=True)
        for v in row
    ]
    assert "优质均衡" in cells and "未达到" in cells and "江东区第一小学" in cells


def test_standards_are_data_edited_on_the_thresholds_page(client, world):
    url = reverse("balance:thresholds")
    standard = QualityStandard.objects.get(stage="初中", indicator="sports_area")
    assert (standard.minimum, standard.max_cv) == (Decimal("10.2"), Decimal("0.45"))
    rule = QualityRule.objects.get(stage="小学")
    assert (rule.min_met, rule.floor_percent) == (6, Decimal("85"))
    assert not BalanceThreshold.objects.filter(level="quality").exists()
    client.force_login(world.people.east_office)
    page = client.get(url).content.decode()
    assert "≥ 10.2" in page and "优质均衡" in page
    assert client.post(url, {"min-初中-sports_area": "9"}).status_code == 403
    client.force_login(world.people.admin)
    page = client.get(url).content.decode()
    assert 'name="min-初中-sports_area" value="10.2"' in page
    response = client.post(
        url,
        {
            "min-初中-sports_area": "9.5",
            "cv-初中-sports_area": "0.45",
            "met-小学": "7",
            "floor-小学": "85",
            "basic-小学": "0.65",
        },
    )
    assert response.status_code == 302
    assert QualityStandard.objects.get(pk=standard.pk).minimum == Decimal("9.5")
    assert QualityRule.objects.get(stage="小学").min_met == 7
    fields = set(
        AuditEvent.objects.filter(action="balance.standard").values_list("field", flat=True)
    )
    assert fields == {"初中生均体育运动场馆面积(平方米).校际标准", "小学.至少达标项数"}
    # a bad value anywhere: nothing written, the refusal names the field
    response = client.post(
        url,
        {
            "min-初中-sports_area": "8",
            "cv-初中-sports_area": "0.45",
            "met-小学": "8",
            "floor-小学": "85",
        },
    )
    assert "小学至少达标项数应为1到7之间的整数" in response.content.decode()
    assert QualityStandard.objects.get(pk=standard.pk).minimum == Decimal("9.5")


def test_standard_refusals(world):
    admin = world.people.admin
    with pytest.raises(BalanceRefused, match="只有系统管理员"):
        quality_rule_set(
            actor=world.people.east_office, stage="小学", min_met="6", floor_percent="85"
        )
    with pytest.raises(BalanceRefused, match="“每百名学生拥有网络多媒体教室数”的校际标准“abc”"):
        quality_standard_set(
            actor=admin, stage="小学", indicator="multimedia_rooms", minimum="abc", max_cv="0.5"
        )
    with pytest.raises(BalanceRefused, match="差异系数上限应为大于0的数"):
        quality_standard_set(
            actor=admin, stage="小学", indicator="multimedia_rooms", minimum="2.3", max_cv="0"
        )
    with pytest.raises(BalanceRefused, match="百分比应大于0且不超过100"):
        quality_rule_set(actor=admin, stage="小学", min_met="6", floor_percent="120")
    with pytest.raises(BalanceRefused, match="没有这一项标准"):
        quality_standard_set(
            actor=admin, stage="小学", indicator="books", minimum="1", max_cv="0.5"
        )
    assert not AuditEvent.objects.filter(action="balance.standard").exists()
