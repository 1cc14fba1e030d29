from django.apps import AppConfig


class BalanceConfig(AppConfig):
    name = "wenming.balance"
    verbose_name = "均衡发展"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.audit.services import ACTION_LABELS
        from wenming.balance import importer  # noqa: F401  (register the importer)

        ACTION_LABELS["balance.standard"] = "修改优质均衡标准"
