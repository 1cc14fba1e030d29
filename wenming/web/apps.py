from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "wenming.web"
    verbose_name = "网页"
