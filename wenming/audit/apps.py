from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "wenming.audit"
    verbose_name = "审计记录"
