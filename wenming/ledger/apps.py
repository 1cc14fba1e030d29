from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "wenming.ledger"
    verbose_name = "创建台账"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.ledger import (  # noqa: F401  (register the importer, the job, the to-dos)
            assignments,
            binder,
            todo,
        )
