import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The keys now live in the API's tokens (api 0002): every client has its account."""

    dependencies = [
        ("citizen", "0002_externalclient_account"),
        ("api", "0002_open311_keys_to_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveField(model_name="externalclient", name="key_hash"),
        migrations.RemoveField(model_name="externalclient", name="key_prefix"),
        migrations.AlterField(
            model_name="externalclient",
            name="account",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
