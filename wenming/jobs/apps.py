from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "wenming.jobs"
    verbose_name = "后台任务"
