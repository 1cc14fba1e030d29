from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "wenming.notices"
    verbose_name = "通知与待办"

    def ready(self) -> None:
        from wenming.notices import providers  # noqa: F401  (register the built-in to-do providers)
