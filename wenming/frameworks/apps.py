from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "wenming.frameworks"
    verbose_name = "测评体系"
