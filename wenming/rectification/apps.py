from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "wenming.rectification"
    verbose_name = "整改督办"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.notices.services import notice_kind_replied_elsewhere
        from wenming.rectification import (  # noqa: F401  (register importer, to-dos, reminders)
            importer,
            reminders,
            todo,
        )

        notice_kind_replied_elsewhere("supervision")  # answered on the 督办 notice's page
