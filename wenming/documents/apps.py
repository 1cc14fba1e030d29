from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "wenming.documents"
    verbose_name = "文书"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.documents import batch, campaign_batch  # noqa: F401  (register the jobs)
