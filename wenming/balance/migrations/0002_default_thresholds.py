"""The commonly cited composite-CV thresholds (basic balance 0.65 / 0.55, quality balance
0.50 / 0.45); data an administrator may change for the province's own rules."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("小学", "basic", Decimal("0.650")),
    ("初中", "basic", Decimal("0.550")),
    ("小学", "quality", Decimal("0.500")),
    ("初中", "quality", Decimal("0.450")),
]


def add(apps, schema_editor):
    Threshold = apps.get_model("balance", "BalanceThreshold")
    for stage, level, max_cv in DEFAULTS:
        Threshold.objects.get_or_create(stage=stage, level=level, defaults={"max_cv": max_cv})


class Migration(migrations.Migration):
    dependencies = [("balance", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
