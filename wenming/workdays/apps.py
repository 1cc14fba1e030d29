from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "wenming.workdays"
    verbose_name = "节假日与工作日"
