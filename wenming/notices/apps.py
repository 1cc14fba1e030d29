from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "wenming.notices"
    verbose_name = "通知与待办"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.notices import providers  # noqa: F401  (register the built-in to-do providers)
