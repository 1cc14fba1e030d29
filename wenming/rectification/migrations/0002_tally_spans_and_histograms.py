"""Tallies per month, quarter and year with the close-time histogram on each row (replaces the
per-day CloseDays rows), recomputed from the problems; covering indexes over the open problems
for the overdue counts."""

from django.db import migrations, models


def rebuild(apps, schema_editor):
    from wenming.rectification.services import tallies_compute

    tallies_compute(
        apps.get_model("rectification", "Problem"), apps.get_model("rectification", "Tally")
    )


class Migration(migrations.Migration):
    dependencies = [("rectification", "0001_initial")]

    operations = [
        migrations.DeleteModel(name="CloseDays"),
        migrations.RemoveConstraint(model_name="tally", name="tally_unique"),
        migrations.RenameField(model_name="tally", old_name="month", new_name="start"),
        migrations.AddField(
            model_name="tally",
            name="span",
            field=models.CharField(
                choices=[("m", "月"), ("q", "季度"), ("y", "年")], default="m", max_length=1
            ),
        ),
        migrations.AddField(
            model_name="tally", name="days", field=models.BinaryField(db_default=b"")
        ),
        migrations.AddConstraint(
            model_name="tally",
            constraint=models.UniqueConstraint(
                fields=("kind", "key", "span", "start"), name="tally_unique"
            ),
        ),
        migrations.RemoveIndex(model_name="problem", name="problem_open_deadline_idx"),
        migrations.RemoveIndex(model_name="problem", name="problem_open_idx"),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("state", "closed"), _negated=True),
                fields=["region_path", "deadline", "received_on", "unit", "state"],
                name="problem_open_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="problem",
            index=models.Index(
                condition=models.Q(("state", "closed"), _negated=True),
                fields=["deadline", "received_on", "region_path", "body", "unit", "state"],
                name="problem_open_cover_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="tally",
            index=models.Index(fields=["kind", "span", "start"], name="tally_period_idx"),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
