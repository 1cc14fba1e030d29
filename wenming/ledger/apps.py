from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "wenming.ledger"
    verbose_name = "创建台账"

    def ready(self) -> None:
        from wenming.ledger import assignments, binder  # noqa: F401  (register the importer and the job)
