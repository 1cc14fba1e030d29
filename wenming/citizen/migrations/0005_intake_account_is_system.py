"""The citizen intake account is a system account (kept out of the account list)."""

from django.db import migrations


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    AccountState = apps.get_model("accounts", "AccountState")
    for user in User.objects.filter(username="citizen-intake"):
        AccountState.objects.update_or_create(user=user, defaults={"system": True})


class Migration(migrations.Migration):
    dependencies = [
        ("citizen", "0004_report_problems_citizen_source"),
        ("accounts", "0004_system_accounts"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
