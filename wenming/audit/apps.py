from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "wenming.audit"
    verbose_name = "审计记录"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.audit import verify  # noqa: F401  (register the verification job)
