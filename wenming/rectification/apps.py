from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "wenming.rectification"
    verbose_name = "整改督办"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.rectification import importer, todo  # noqa: F401  (register importer, to-dos)
