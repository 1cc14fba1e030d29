from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "wenming.review"
    verbose_name = "材料审查"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.review import jobs, panels  # noqa: F401  (register the job and the panel)
