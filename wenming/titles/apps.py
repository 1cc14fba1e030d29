from django.apps import AppConfig


class TitlesConfig(AppConfig):
    name = "wenming.titles"
    verbose_name = "称号"

    def ready(self) -> None:
        from wenming.titles import importer  # noqa: F401  (register the 历届名单 importer)
