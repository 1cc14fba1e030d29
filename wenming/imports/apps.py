from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "wenming.imports"
    verbose_name = "Excel导入"
