"""The commonly cited quality-balance (2017) values: per-school standards of the seven resource
indicators (primary / junior), each indicator's CV ≤ 0.50 / 0.45, at least 6 of 7 standards met
and the missed one at ≥ 85 %. Data an administrator may change for the province's own rules.

Quality balance had been judged on the eight-indicator composite; its composite thresholds become
the seven per-indicator CV limits (an edited value is kept) and are removed from the composite
thresholds, which now hold basic balance only.
"""

from decimal import Decimal

from django.db import migrations

# indicator → (primary standard, junior standard)
STANDARDS = [
    ("qualified_teachers", Decimal("4.2"), Decimal("5.3")),
    ("key_teachers", Decimal("1"), Decimal("1")),
    ("pe_arts_teachers", Decimal("0.9"), Decimal("0.9")),
    ("floor_area", Decimal("4.5"), Decimal("5.8")),
    ("sports_area", Decimal("7.5"), Decimal("10.2")),
    ("equipment_value", Decimal("2000"), Decimal("2500")),
    ("multimedia_rooms", Decimal("2.3"), Decimal("2.4")),
]
MAX_CV = {"小学": Decimal("0.500"), "初中": Decimal("0.450")}


def add(apps, schema_editor):
    Threshold = apps.get_model("balance", "BalanceThreshold")
    Standard = apps.get_model("balance", "QualityStandard")
    Rule = apps.get_model("balance", "QualityRule")
    for stage, default_cv in MAX_CV.items():
        old = Threshold.objects.filter(stage=stage, level="quality").first()
        max_cv = old.max_cv if old is not None else default_cv
        for indicator, primary, junior in STANDARDS:
            Standard.objects.get_or_create(
                stage=stage,
                indicator=indicator,
                defaults={"minimum": primary if stage == "小学" else junior, "max_cv": max_cv},
            )
        Rule.objects.get_or_create(
            stage=stage, defaults={"min_met": 6, "floor_percent": Decimal("85")}
        )
    Threshold.objects.filter(level="quality").delete()


def remove(apps, schema_editor):
    Threshold = apps.get_model("balance", "BalanceThreshold")
    Standard = apps.get_model("balance", "QualityStandard")
    for stage, default_cv in MAX_CV.items():
        first = Standard.objects.filter(stage=stage).order_by("id").first()
        Threshold.objects.get_or_create(
            stage=stage,
            level="quality",
            defaults={"max_cv": first.max_cv if first is not None else default_cv},
        )


class Migration(migrations.Migration):
    dependencies = [("balance", "0003_quality_standards")]
    operations = [migrations.RunPython(add, remove)]
