from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "wenming.rectification"
    verbose_name = "整改督办"

    def ready(self) -> None:
        from wenming.rectification import importer, todo  # noqa: F401  (register importer, to-dos)
