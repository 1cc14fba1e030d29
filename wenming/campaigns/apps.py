from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "wenming.campaigns"
    verbose_name = "创建活动"

    def ready(self) -> None:
        from wenming.campaigns import score_sheet, todo  # noqa: F401  (importer, to-do provider)
