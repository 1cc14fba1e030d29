from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "wenming.webhooks"
    verbose_name = "事件推送"

    def ready(self) -> None:
        # connect to the owning apps' hooks (their effects are sent after the commit)
        from wenming.audit.services import ACTION_LABELS
        from wenming.campaigns.transitions import application_changed
        from wenming.rectification.transitions import problem_overdue
        from wenming.titles.transitions import title_changed
        from wenming.webhooks import events

        application_changed.connect(events.on_application_changed)
        title_changed.connect(events.on_title_changed)
        problem_overdue.connect(events.on_problem_overdue)
        ACTION_LABELS.update(
            {"webhook.subscribe": "订阅事件推送", "webhook.unsubscribe": "停用事件推送"}
        )
