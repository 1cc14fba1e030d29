from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "wenming.review"
    verbose_name = "材料审查"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        # register the job, the panel, and the receiver dropping a deleted text's index rows
        from wenming.review import jobs, panels, store  # noqa: F401
