from django.apps import AppConfig


class TitlesConfig(AppConfig):
    name = "wenming.titles"
    verbose_name = "称号"

    def ready(self) -> None:
        # register the 历届名单 importer and the to-do provider
        from wenming.titles import importer, todo  # noqa: F401
