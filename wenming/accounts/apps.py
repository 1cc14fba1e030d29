from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wenming.accounts"
    verbose_name = "账号与角色"
