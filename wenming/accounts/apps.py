from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wenming.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from wenming.accounts.middleware import remember_password_state
        from wenming.accounts.models import AddressAllowance
        from wenming.accounts.throttle import allowances_changed

        user_logged_in.connect(remember_password_state, dispatch_uid="wenming_password_state")
        # the limits keep the allowances in the shared cache: any write drops them
        for signal in (post_save, post_delete):
            signal.connect(
                allowances_changed, sender=AddressAllowance, dispatch_uid="wenming_allowances"
            )
