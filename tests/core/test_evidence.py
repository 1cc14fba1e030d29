"""Evidence rules and quotas judged against recorded activities."""

from __future__ import annotations

from datetime import date

from wenming.core.evidence import (
    COMPLETE,
    INCOMPLETE,
    MANUAL,
    RecordFact,
    check_rules,
    overall,
    periods,
    quota_progress,
)
from wenming.core.framework import EvidenceRule, Quota

AS_OF = date(2026, 8, 15)


def rec(
    day: str, kind: str = "会议", photos: int = 0, files: int = 0, department: str = ""
) -> RecordFact:
    return RecordFact(date.fromisoformat(day), kind, photos, files, department)


def test_periods_of_the_year_so_far():
    assert [p[0] for p in periods("quarter", AS_OF)] == ["第1季度", "第2季度", "第3季度"]
    assert periods("half", AS_OF)[1][1:] == (date(2026, 7, 1), date(2026, 12, 31))
    assert periods("month", date(2026, 2, 1))[-1] == ("2月", date(2026, 2, 1), date(2026, 2, 28))


def test_photo_rule_counts_photos_of_linked_records():
    rules = [EvidenceRule(kind="photos", min=2)]
    (check,) = check_rules(
        rules, [rec("2026-03-01", photos=1)], explanation="", confirmed=(), as_of=AS_OF
    )
    assert (check.status, check.reason) == (INCOMPLETE, "至少2张照片(现有1)")
    (check,) = check_rules(
        rules,
        [rec("2026-03-01", photos=1), rec("2026-04-01", photos=1)],
        explanation="",
        confirmed=(),
        as_of=AS_OF,
    )
    assert check.status == COMPLETE


def test_quarterly_rule_names_the_quarter_that_is_short():
    rules = [EvidenceRule(kind="records", min=1, per="quarter", activity_type="检查督查")]
    records = [
        rec("2026-02-01", "检查督查"),
        rec("2026-07-03", "检查督查"),
        rec("2026-05-01", "会议"),
    ]
    (check,) = check_rules(rules, records, explanation="", confirmed=(), as_of=AS_OF)
    assert check.status == INCOMPLETE
    assert check.reason == "每季度检查督查至少1次:第2季度0次"


def test_yearly_quota_style_rule():
    rules = [EvidenceRule(kind="records", min=12, activity_type="中心组学习")]
    records = [rec(f"2026-{m:02d}-10", "中心组学习") for m in range(1, 8)]
    (check,) = check_rules(rules, records, explanation="", confirmed=(), as_of=AS_OF)
    assert check.reason == "2026年中心组学习至少12次(现有7次)"


def test_explanation_length_limit():
    rules = [EvidenceRule(kind="explanation", max_chars=500)]
    assert check_rules(rules, [], explanation="", confirmed=(), as_of=AS_OF)[0].reason == "缺少说明"
    assert (
        check_rules(rules, [], explanation="字" * 501, confirmed=(), as_of=AS_OF)[0].reason
        == "说明超过500字(现有501字)"
    )
    assert (
        check_rules(rules, [], explanation="字" * 500, confirmed=(), as_of=AS_OF)[0].status
        == COMPLETE
    )


def test_a_rule_no_machine_can_judge_waits_for_a_person():
    rules = [EvidenceRule(kind="manual", text="照片能看清单位名称")]
    (pending,) = check_rules(
        rules, [rec("2026-03-01", photos=3)], explanation="", confirmed=(), as_of=AS_OF
    )
    assert (pending.status, pending.reason) == (MANUAL, "须人工确认:照片能看清单位名称")
    assert overall([pending], has_records=True) == MANUAL
    (done,) = check_rules(rules, [], explanation="", confirmed={0}, as_of=AS_OF)
    assert done.status == COMPLETE


def test_quota_progress_per_quarter_and_department():
    quota = Quota(
        code="Q1", name="调研报告", activity_type="调研报告", per="year", min=1, per_department=True
    )
    records = [rec("2026-03-01", "调研报告", department="办公室")]
    rows = quota_progress(quota, records, departments=["办公室", "业务科"], as_of=AS_OF)
    assert [(r.department, r.done, r.behind, r.percent) for r in rows] == [
        ("办公室", 1, 0, 100),
        ("业务科", 0, 1, 0),
    ]


def test_daily_quota_counts_the_days_so_far():
    quota = Quota(code="Q0", name="日阅一文", activity_type="理论学习", per="day", min=1)
    records = [rec(f"2026-01-{d:02d}", "理论学习") for d in range(1, 11)]
    (row,) = quota_progress(quota, records, departments=[], as_of=date(2026, 1, 31))
    assert (row.done, row.required, row.behind, row.period) == (
        10,
        31,
        21,
        "2026年(截至1月31日,共31天)",
    )
