from django.apps import AppConfig


class OnsiteConfig(AppConfig):
    name = "wenming.onsite"
    verbose_name = "现场测评"

    def ready(self) -> None:
        # imported here: registering needs every app's models loaded (Django app loading)
        from wenming.accounts.scope import scope_source_register
        from wenming.audit.services import ACTION_LABELS
        from wenming.onsite import todo  # noqa: F401  (the experts' to-do provider)
        from wenming.onsite.selectors import assigned_unit_ids

        # experts read the units their on-site teams are assigned to
        scope_source_register(assigned_unit_ids)

        ACTION_LABELS.update(
            {
                "expert.save": "保存专家信息",
                "team.create": "组建测评组",
                "team.member": "调整测评组成员",
                "onsite.assign": "分派测评组",
                "onsite.unassign": "撤销分派",
                "onsite.settings": "设置现场测评规则",
                "onsite.score": "现场评分",
                "onsite.decide": "组长裁定",
                "onsite.sign": "组长签署合议表",
                "onsite.reopen": "合议表重新打开",
            }
        )
