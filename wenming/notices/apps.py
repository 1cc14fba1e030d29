from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "wenming.notices"
    verbose_name = "通知与待办"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from django.db.models.signals import post_delete, post_save

        from wenming.notices import providers  # noqa: F401  (register the built-in to-do providers)
        from wenming.notices.todo import todos_changed

        # every state change writes an audit event (named by label: the audit app is a
        # sibling this one does not import); notices and role grants change lists too
        for sender in ("audit.AuditEvent", "notices.Notice", "accounts.RoleGrant"):
            post_save.connect(todos_changed, sender=sender, dispatch_uid=f"todo-{sender}")
            post_delete.connect(todos_changed, sender=sender, dispatch_uid=f"todo-del-{sender}")
