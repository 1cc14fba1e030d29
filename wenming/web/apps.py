from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _cache_table(using: str = "default", **kwargs: Any) -> None:
    """Every migrate (``wenming serve``, ``wenming demo``, the tests) also makes the cache table."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class WebConfig(AppConfig):
    name = "wenming.web"
    verbose_name = "网页"

    def ready(self) -> None:
        # sent once per app that has models (this one has none): hang it on accounts, whose
        # login and public-form limits count in the cache
        from django.apps import apps

        accounts = apps.get_app_config("accounts")
        post_migrate.connect(_cache_table, sender=accounts, dispatch_uid="wenming.cache_table")
