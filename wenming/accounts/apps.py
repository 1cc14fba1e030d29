from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wenming.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from wenming.accounts.middleware import remember_password_state

        user_logged_in.connect(remember_password_state, dispatch_uid="wenming_password_state")
