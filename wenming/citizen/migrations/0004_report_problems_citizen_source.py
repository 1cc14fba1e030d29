"""The problems of reports filed on the public page were filed as 投诉: they become 群众随手拍
(reports of external systems, 12345 hotline tickets, stay 投诉). Both are called back, so the
tallies' complaint counts stay as they are."""

from django.db import migrations


def forwards(apps, schema_editor):
    CitizenReport = apps.get_model("citizen", "CitizenReport")
    Problem = apps.get_model("rectification", "Problem")
    web = CitizenReport.objects.filter(channel="web", problem__isnull=False).values("problem_id")
    Problem.objects.filter(pk__in=web, source="complaint").update(source="citizen")


def backwards(apps, schema_editor):
    Problem = apps.get_model("rectification", "Problem")
    Problem.objects.filter(source="citizen").update(source="complaint")


class Migration(migrations.Migration):
    dependencies = [
        ("citizen", "0003_externalclient_keys_gone"),
        ("rectification", "0004_citizen_source_and_merge"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
