from django.apps import AppConfig


class DrawsConfig(AppConfig):
    name = "wenming.draws"
    verbose_name = "现场抽签"
