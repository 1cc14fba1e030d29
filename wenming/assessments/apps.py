from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "wenming.assessments"
    verbose_name = "自评"
