from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wenming.api"
    verbose_name = "接口"

    def ready(self) -> None:
        # the audit page's labels for token events and uses
        from wenming.audit.services import ACTION_LABELS

        ACTION_LABELS.update(
            {
                "api.token_create": "创建接口令牌",
                "api.token_revoke": "吊销接口令牌",
                "api.use": "接口调用",
            }
        )
