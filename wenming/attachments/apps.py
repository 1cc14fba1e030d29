from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "wenming.attachments"
    verbose_name = "附件"
