from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "wenming.dashboards"
    verbose_name = "统计看板"
