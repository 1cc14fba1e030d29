"""Texts of an application beside its own report (uploaded report files, 说明 texts), and a
smaller fingerprint store: positions packed in the text's row, the inverted index as (hash, text)
with 32-bit hashes and its primary key as the one index."""

import django.db.models.deletion
import numpy as np
from django.db import migrations, models

HALF = 1 << 31


def _pack(pairs):
    hashes = np.asarray([h for h, _ in pairs], dtype=np.int64).astype(np.uint64)
    small = ((hashes >> np.uint64(31)).astype(np.int64) - HALF).astype("<i4")
    positions = np.asarray([p for _, p in pairs], dtype="<u4")
    return small, small.tobytes() + positions.tobytes()


def copy_prints(apps, schema_editor):
    ReviewedText = apps.get_model("review", "ReviewedText")
    Old = apps.get_model("review", "OldFingerprint")
    New = apps.get_model("review", "Fingerprint")
    for pk in ReviewedText.objects.values_list("pk", flat=True).iterator():
        pairs = list(
            Old.objects.filter(text_id=pk).order_by("id").values_list("hash", "position")
        )
        if not pairs:
            continue
        small, prints = _pack(pairs)
        ReviewedText.objects.filter(pk=pk).update(prints=prints)
        New.objects.bulk_create(
            [New(hash=h, text_id=pk) for h in sorted(set(small.tolist()))], batch_size=2000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("attachments", "0002_crc32"),
        ("review", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("Fingerprint", "OldFingerprint"),
        migrations.AddField(
            model_name="reviewedtext",
            name="prints",
            field=models.BinaryField(default=b""),
        ),
        migrations.AddField(
            model_name="reviewedtext",
            name="attachment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="attachments.attachment",
            ),
        ),
        migrations.AlterField(
            model_name="reviewedtext",
            name="kind",
            field=models.CharField(
                choices=[
                    ("library", "参考范文"),
                    ("report", "自查报告"),
                    ("upload", "上传的材料"),
                    ("explanation", "指标说明"),
                ],
                max_length=12,
            ),
        ),
        migrations.RemoveConstraint(
            model_name="reviewedtext", name="reviewed_text_unit_iff_report"
        ),
        migrations.AddConstraint(
            model_name="reviewedtext",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "library"), ("unit__isnull", True))
                | models.Q(models.Q(("kind", "library"), _negated=True), ("unit__isnull", False)),
                name="reviewed_text_unit_iff_report",
            ),
        ),
        migrations.AddConstraint(
            model_name="reviewedtext",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "explanation")),
                fields=("application",),
                name="reviewed_text_one_explanation_per_application",
            ),
        ),
        migrations.AlterField(
            model_name="check",
            name="text",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="review.reviewedtext",
            ),
        ),
        migrations.CreateModel(
            name="Fingerprint",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "hash", "text_id", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("hash", models.IntegerField()),
                ("text_id", models.IntegerField()),
            ],
        ),
        migrations.RunPython(copy_prints, migrations.RunPython.noop),
        migrations.DeleteModel("OldFingerprint"),
    ]
