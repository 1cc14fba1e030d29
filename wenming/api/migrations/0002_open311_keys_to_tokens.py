"""The Open311 intake moved into the API: each key made on the former /citizen/clients/ page
becomes a service token (only its prefix and SHA-256 were kept, and they carry over as they
are, so the system keeps calling with the same key), holding 问题整改 读写 for the client's
region through a service account of its own, like a token made on the tokens page. A stopped
client's token is revoked. Tokens expire: these get the longest term, a year."""

from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone


def keys_to_tokens(apps, schema_editor):
    ExternalClient = apps.get_model("citizen", "ExternalClient")
    ApiToken = apps.get_model("api", "ApiToken")
    User = apps.get_model("auth", "User")
    RoleGrant = apps.get_model("accounts", "RoleGrant")
    now = timezone.now()
    for client in ExternalClient.objects.filter(account__isnull=True).order_by("pk"):
        account = User.objects.create(
            username=f"api-{client.key_prefix}",
            first_name=client.name[:150],
            password=make_password(None),
            is_active=client.active,
        )
        RoleGrant.objects.create(user=account, role="office", region_id=client.region_id)
        ApiToken.objects.create(
            name=client.name[:100],
            kind="service",
            user=account,
            created_by_id=client.created_by_id,
            prefix=client.key_prefix,
            digest=client.key_hash,
            scopes=["problems:write"],
            expires_at=now + timedelta(days=365),
            revoked_at=None if client.active else now,
        )
        client.account = account
        client.save(update_fields=["account"])


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("accounts", "0003_directory_sso"),
        ("citizen", "0002_externalclient_account"),
    ]

    operations = [migrations.RunPython(keys_to_tokens, migrations.RunPython.noop)]
