from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "wenming.campaigns"
    verbose_name = "创建活动"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.campaigns import (  # noqa: F401  (importer, to-do provider, reminders)
            reminders,
            score_sheet,
            todo,
        )
