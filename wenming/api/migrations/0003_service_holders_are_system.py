"""The accounts made for service tokens are system accounts (kept out of the account list)."""

from django.db import migrations


def forwards(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    AccountState = apps.get_model("accounts", "AccountState")
    holders = ApiToken.objects.filter(kind="service").values_list("user_id", flat=True)
    for user_id in set(holders):
        AccountState.objects.update_or_create(user_id=user_id, defaults={"system": True})


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_open311_keys_to_tokens"),
        ("accounts", "0004_system_accounts"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
